// What the pieces of the HDF5 writer share (host/io/hdf5_primitives.cpp defines it; used by
// hdf5_writer.cpp, hdf5_write_points.cpp, hdf5_merge.cpp): failed HDF5 calls turned into
// Hdf5FileError naming the file, and the attribute, dataset and dimension-scale primitives of the
// netCDF-4 / CF layout. Each function's full description is at its definition. Internal: not part
// of host/io/hdf5_writer.hpp's interface.
#pragma once

#include <hdf5.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "host/io/hdf5_handle.hpp"
#include "host/io/hdf5_writer.hpp"

namespace ll::hdf5_detail {

inline constexpr unsigned kCreationOrder = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;

// ---- handles and errors -----------------------------------------------------------------------

using Handle = Hdf5Handle;

// The innermost entry of the HDF5 error stack (the cause); clears the stack.
std::string take_hdf5_error_text();

// Turns failed HDF5 calls into Hdf5FileError naming the file.
class Checker {
 public:
  explicit Checker(const std::string& path) : path_(path) {}

  [[noreturn]] void fail(const std::string& what) const {
    std::string message = "HDF5 output '" + path_ + "': cannot " + what;
    const std::string hdf5_text = take_hdf5_error_text();
    if (!hdf5_text.empty()) message += " (" + hdf5_text + ")";
    throw Hdf5FileError(message);
  }
  Handle own(hid_t id, Handle::Closer closer, const std::string& what) const {
    if (id < 0) fail(what);
    return Handle(id, closer);
  }
  void ok(herr_t status, const std::string& what) const {
    if (status < 0) fail(what);
  }

 private:
  const std::string& path_;
};

// File access for writing a point at a time: no sieve buffer.
void set_point_write_access(const Checker& check, hid_t fapl);

// ---- attributes ---------------------------------------------------------------------------

// A variable-length UTF-8 string type.
Handle utf8_string_type(const Checker& check);
// A scalar string attribute of `object`.
void write_string_attribute(const Checker& check, hid_t object, const char* name,
                            const std::string& value);
// A numeric attribute of `count` values (count == 1 gives a scalar).
void write_numeric_attribute(const Checker& check, hid_t object, const char* name, hid_t file_type,
                             hid_t memory_type, const void* values, hsize_t count);
// The CF `units` and `long_name` attributes.
void describe(const Checker& check, hid_t dataset, const char* units,
              const std::string& long_name);
// A scalar string attribute of the root (empty when absent).
std::string read_root_string(const Checker& check, hid_t file, const char* name);

// ---- datasets -----------------------------------------------------------------------------

struct Fill {
  hid_t memory_type;
  const void* value;
};

// A dataset of `dims`, filled with `fill` (if any); `chunk_point_axes` > 0: chunked one point per
// chunk, shuffled and deflated.
Handle create_dataset(const Checker& check, hid_t file, const std::string& name, hid_t file_type,
                      const std::vector<hsize_t>& dims, const Fill* fill,
                      unsigned chunk_point_axes = 0);
// Writes a whole dataset of `count` elements (nothing when count == 0).
void write_whole(const Checker& check, hid_t dataset, hid_t memory_type, const void* data,
                 std::size_t count, const std::string& name);

// Point p's index on the sweep's axes (`shape`, row-major: the last axis fastest) into
// index[0 .. shape.size()).
template <class Shape>
void point_index(std::size_t p, const Shape& shape, hsize_t* index) {
  for (std::size_t a = shape.size(); a-- > 0;) {
    index[a] = p % shape[a];
    p /= shape[a];
  }
}

// Writes points [first, first + n) of a per-point dataset, its trailing axes whole.
void write_points_slab(const Checker& check, hid_t dataset, const char* name, hid_t memory_type,
                       const void* data, const std::vector<std::size_t>& sweep_shape,
                       std::size_t first, std::size_t n, const std::vector<hsize_t>& trailing);
// A 1-D dataset of `values` made the dimension scale `name`.
Handle create_dimension(const Checker& check, hid_t file, const char* name, hid_t file_type,
                        hid_t memory_type, const void* values, std::size_t count, const char* units,
                        const char* long_name);
// The extent of a simple dataspace, axis by axis.
std::vector<hsize_t> space_dims(hid_t space);
// A dimension whose coordinate counts first, first + 1, ... as uint64.
Handle create_index_dimension(const Checker& check, hid_t file, const char* name, std::size_t count,
                              const char* long_name, std::uint64_t first = 0);
// Attaches dimension scale `scale` to `axis` of `dataset`.
void attach(const Checker& check, hid_t dataset, hid_t scale, unsigned axis,
            const std::string& name);
// A swept key's dataset name: `_` for `.`.
std::string swept_dataset_name(const std::string& key);

}  // namespace ll::hdf5_detail
