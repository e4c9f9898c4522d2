// Debian's libhdf5 (serial build), for reading Keras 3 `.weights.h5` files. HDF5's handles and
// property-list defaults are macros Swift cannot import (H5T_NATIVE_FLOAT expands to a call that
// opens the library), so the few this project needs are wrapped as inline functions here.
#include <stddef.h>
#include <hdf5.h>

/// Stops HDF5 printing its error stack to stderr: every failure is reported by the caller,
/// once, naming the file.
static inline void chdf5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

/// Opens `path` read-only; a negative id when it is not a readable HDF5 file.
static inline hid_t chdf5_open_readonly(const char *path) {
    return H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
}

/// The in-memory type every weight is read as (HDF5 converts float64 and float16 on reading).
static inline hid_t chdf5_native_float(void) { return H5T_NATIVE_FLOAT; }

static inline htri_t chdf5_link_exists(hid_t location, const char *name) {
    return H5Lexists(location, name, H5P_DEFAULT);
}

static inline hid_t chdf5_open_dataset(hid_t location, const char *name) {
    return H5Dopen2(location, name, H5P_DEFAULT);
}

static inline hid_t chdf5_open_object(hid_t location, const char *name) {
    return H5Oopen(location, name, H5P_DEFAULT);
}

/// The name of the `index`-th link of `group` in name order, copied into `buffer` (size `size`);
/// the name's length, or a negative value.
static inline ssize_t chdf5_link_name(hid_t group, hsize_t index, char *buffer, size_t size) {
    return H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, index, buffer, size, H5P_DEFAULT);
}

/// Reads the whole dataset as float32 into `buffer` (which holds every element).
static inline herr_t chdf5_read_floats(hid_t dataset, float *buffer) {
    return H5Dread(dataset, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer);
}
