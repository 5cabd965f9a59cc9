// HDF5 (Debian's serial build). Its type and property-list constants are C macros that expand
// to global variables behind H5open(); Swift cannot import them, so they are re-exported here
// as inline functions.
#ifndef CALO_BNN_CHDF5_H
#define CALO_BNN_CHDF5_H
#include <hdf5.h>

static inline hid_t calo_h5t_native_float(void)  { return H5T_NATIVE_FLOAT; }
static inline hid_t calo_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t calo_h5t_native_int32(void)  { return H5T_NATIVE_INT32; }
static inline hid_t calo_h5t_native_int64(void)  { return H5T_NATIVE_INT64; }
static inline hid_t calo_h5t_native_uint8(void)  { return H5T_NATIVE_UINT8; }
static inline hid_t calo_h5t_native_uint64(void) { return H5T_NATIVE_UINT64; }
static inline hid_t calo_h5t_c_s1(void)          { return H5T_C_S1; }
static inline hid_t calo_h5p_default(void)       { return H5P_DEFAULT; }
static inline hid_t calo_h5p_dataset_create(void){ return H5P_DATASET_CREATE; }
static inline hid_t calo_h5s_all(void)           { return H5S_ALL; }
static inline hsize_t calo_h5s_unlimited(void)   { return H5S_UNLIMITED; }
static inline unsigned calo_h5f_acc_trunc(void)  { return H5F_ACC_TRUNC; }
static inline unsigned calo_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned calo_h5f_acc_rdwr(void)   { return H5F_ACC_RDWR; }
static inline unsigned calo_h5f_acc_excl(void)   { return H5F_ACC_EXCL; }
/// Silence HDF5's own stack printing; we report errors ourselves in one line.
static inline void calo_h5_silence_errors(void)  { H5Eset_auto2(H5E_DEFAULT, 0, 0); }
#endif
