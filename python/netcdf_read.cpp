// A lightlane HDF5 file (the netCDF-4 layout of host/io/hdf5_writer.hpp) read into Python
// objects with HDF5's C library, for python/lightlane/_netcdf.py to make the xarray Dataset.
// Generic: it knows the netCDF-4 conventions (dimension scales, dimension-only scales), not
// lightlane's variables; xarray's decode_cf does the CF decoding after it. Why not h5py under
// xarray's h5netcdf engine: that takes about 0.2 s for the default lane's file (thousands of
// dimension-scale lookups; h5py alone about 30 ms in attribute and name lookups), four times
// the run; this takes about a millisecond (scripts/bench_python.py). Each variable's values are
// read once, into the buffer its numpy array then owns.
#include "python/netcdf_read.hpp"

#include <hdf5.h>
#include <hdf5_hl.h>

#include <cstdint>
#include <cstring>
#include <exception>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "host/io/hdf5_handle.hpp"

namespace nb = nanobind;

namespace ll::python {
namespace {

using Handle = Hdf5Handle;

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("lightlane: reading the results: cannot " + what);
}
Handle own(hid_t id, Handle::Closer closer, const std::string& what) {
  if (id < 0) fail(what);
  return Handle(id, closer);
}

// A numpy array of `count` elements of HDF5 type `type` (an integer or a float), shaped
// `shape`, filled by `read(native type, buffer)`; the array owns the buffer.
template <class Read>
nb::object numeric_array(hid_t type, const std::vector<std::size_t>& shape, std::size_t count,
                         Read&& read, const std::string& what) {
  const H5T_class_t cls = H5Tget_class(type);
  const std::size_t size = H5Tget_size(type);
  hid_t native = -1;
  nb::dlpack::dtype dtype{};
  if (cls == H5T_FLOAT && size == 8) {
    native = H5T_NATIVE_DOUBLE, dtype = nb::dtype<double>();
  } else if (cls == H5T_FLOAT && size == 4) {
    native = H5T_NATIVE_FLOAT, dtype = nb::dtype<float>();
  } else if (cls == H5T_INTEGER) {
    const bool is_signed = H5Tget_sign(type) == H5T_SGN_2;
    switch (size) {
      case 1: native = is_signed ? H5T_NATIVE_INT8 : H5T_NATIVE_UINT8; break;
      case 2: native = is_signed ? H5T_NATIVE_INT16 : H5T_NATIVE_UINT16; break;
      case 4: native = is_signed ? H5T_NATIVE_INT32 : H5T_NATIVE_UINT32; break;
      case 8: native = is_signed ? H5T_NATIVE_INT64 : H5T_NATIVE_UINT64; break;
      default: fail(what + ": an integer of " + std::to_string(size) + " bytes");
    }
    dtype = {static_cast<std::uint8_t>(is_signed ? nb::dlpack::dtype_code::Int
                                                 : nb::dlpack::dtype_code::UInt),
             static_cast<std::uint8_t>(8 * size), 1};
  } else {
    fail(what + ": not a number (HDF5 type class " + std::to_string(cls) + ")");
  }
  auto* buffer = new std::uint8_t[count * size > 0 ? count * size : 1];
  nb::capsule owner(buffer, [](void* p) noexcept { delete[] static_cast<std::uint8_t*>(p); });
  if (count > 0 && read(native, buffer) < 0) fail("read " + what);
  return nb::cast(nb::ndarray<nb::numpy>(buffer, shape.size(), shape.data(), owner, nullptr,
                                         dtype));
}

// An attribute's value as h5py gives it: a str (or a list of them), a number for a scalar,
// else a numpy array; None for kinds lightlane does not write (references, compounds).
nb::object attribute_value(hid_t attr, const std::string& what) {
  Handle type = own(H5Aget_type(attr), H5Tclose, "read the type of " + what);
  Handle space = own(H5Aget_space(attr), H5Sclose, "read the shape of " + what);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank > 0 ? rank : 0));
  if (rank > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  std::size_t count = 1;
  for (const hsize_t d : dims) count *= static_cast<std::size_t>(d);
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls == H5T_STRING) {
    std::vector<std::string> values;
    if (H5Tis_variable_str(type.get()) > 0) {
      std::vector<char*> raw(count, nullptr);
      Handle memtype = own(H5Tget_native_type(type.get(), H5T_DIR_ASCEND), H5Tclose, what);
      if (H5Aread(attr, memtype.get(), raw.data()) < 0) fail("read " + what);
      for (char* s : raw) values.emplace_back(s ? s : "");
      H5Dvlen_reclaim(memtype.get(), space.get(), H5P_DEFAULT, raw.data());
    } else {
      const std::size_t size = H5Tget_size(type.get());
      std::vector<char> raw(count * size + 1, '\0');
      if (H5Aread(attr, type.get(), raw.data()) < 0) fail("read " + what);
      for (std::size_t i = 0; i < count; ++i)
        values.emplace_back(raw.data() + i * size, strnlen(raw.data() + i * size, size));
    }
    if (rank == 0) return nb::str(values.front().c_str());
    nb::list list;
    for (const std::string& v : values) list.append(nb::str(v.c_str()));
    return list;
  }
  if (cls != H5T_INTEGER && cls != H5T_FLOAT) return nb::none();
  std::vector<std::size_t> shape(dims.begin(), dims.end());
  nb::object array = numeric_array(
      type.get(), shape, count, [&](hid_t native, void* buf) { return H5Aread(attr, native, buf); },
      what);
  if (rank == 0) return array.attr("item")();  // a scalar, as a number
  return array;
}

// Every attribute of `object` (by creation order where the file tracks it, else by name).
nb::dict attributes(hid_t object, const std::string& owner) {
  nb::dict out;
  std::exception_ptr error;
  struct Visit {
    nb::dict* out;
    const std::string* owner;
    std::exception_ptr* error;
  } visit{&out, &owner, &error};
  // HDF5 calls back through C: nothing may be thrown across it, so a failure is kept and
  // thrown once the iteration has returned.
  auto callback = [](hid_t location, const char* name, const H5A_info_t*, void* data) -> herr_t {
    auto* v = static_cast<Visit*>(data);
    try {
      const std::string what = "attribute '" + std::string(name) + "' of " + *v->owner;
      Handle attr = own(H5Aopen(location, name, H5P_DEFAULT), H5Aclose, "open " + what);
      nb::object value = attribute_value(attr.get(), what);
      if (!value.is_none()) (*v->out)[name] = value;
      return 0;
    } catch (...) {
      *v->error = std::current_exception();
      return -1;
    }
  };
  hsize_t index = 0;
  if (H5Aiterate2(object, H5_INDEX_CRT_ORDER, H5_ITER_INC, &index, callback, &visit) < 0) {
    if (error) std::rethrow_exception(error);
    index = 0;
    out.clear();
    if (H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_INC, &index, callback, &visit) < 0) {
      if (error) std::rethrow_exception(error);
      fail("read the attributes of " + owner);
    }
  }
  return out;
}

nb::dict read_open_file(hid_t file) {
  // The root's datasets, in creation order where tracked (what xarray shows).
  std::vector<std::string> names;
  auto collect = [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
    static_cast<std::vector<std::string>*>(data)->emplace_back(name);
    return 0;
  };
  hsize_t index = 0;
  if (H5Literate(file, H5_INDEX_CRT_ORDER, H5_ITER_INC, &index, collect, &names) < 0) {
    names.clear();
    index = 0;
    if (H5Literate(file, H5_INDEX_NAME, H5_ITER_INC, &index, collect, &names) < 0)
      fail("list the file's datasets");
  }
  // Dimension scales by their object's address: a variable's DIMENSION_LIST points at them.
  std::map<haddr_t, std::string> scale_names;
  std::vector<Handle> datasets;
  for (const std::string& name : names) {
    H5O_info_t info{};
    if (H5Oget_info_by_name2(file, name.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0 ||
        info.type != H5O_TYPE_DATASET) {
      datasets.emplace_back();
      continue;
    }
    datasets.push_back(own(H5Dopen2(file, name.c_str(), H5P_DEFAULT), H5Dclose,
                           "open dataset '" + name + "'"));
    if (H5DSis_scale(datasets.back().get()) > 0) scale_names[info.addr] = name;
  }
  nb::list variables;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const hid_t d = datasets[i].get();
    if (d < 0) continue;
    const std::string& name = names[i];
    const std::string what = "dataset '" + name + "'";
    Handle space = own(H5Dget_space(d), H5Sclose, "read the shape of " + what);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank > 0 ? rank : 0));
    if (rank > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    nb::list dim_names;
    bool dimension_only = false;
    if (H5DSis_scale(d) > 0) {
      char label[128] = {0};
      if (H5DSget_scale_name(d, label, sizeof label) > 0)
        dimension_only = std::strncmp(label, "This is a netCDF dimension but not a netCDF variable",
                                      52) == 0;
      dim_names.append(nb::str(name.c_str()));
    } else {
      for (int k = 0; k < rank; ++k) {
        std::string dim;
        struct Find {
          const std::map<haddr_t, std::string>* scales;
          std::string* dim;
        } find{&scale_names, &dim};
        auto visit = [](hid_t, unsigned, hid_t scale, void* data) -> herr_t {
          auto* f = static_cast<Find*>(data);
          H5O_info_t info{};
          if (H5Oget_info2(scale, &info, H5O_INFO_BASIC) < 0) return -1;
          const auto it = f->scales->find(info.addr);
          if (it != f->scales->end()) *f->dim = it->second;
          return 1;  // the first scale names the dimension
        };
        if (H5DSiterate_scales(d, static_cast<unsigned>(k), nullptr, visit, &find) < 0 ||
            dim.empty())
          fail(what + ": its dimension " + std::to_string(k) + " has no dimension scale");
        dim_names.append(nb::str(dim.c_str()));
      }
    }
    if (dimension_only) continue;
    std::size_t count = 1;
    for (const hsize_t n : dims) count *= static_cast<std::size_t>(n);
    Handle type = own(H5Dget_type(d), H5Tclose, "read the type of " + what);
    const std::vector<std::size_t> shape(dims.begin(), dims.end());
    nb::object values = numeric_array(
        type.get(), shape, count,
        [&](hid_t native, void* buf) { return H5Dread(d, native, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf); },
        what);
    variables.append(nb::make_tuple(nb::str(name.c_str()), nb::tuple(dim_names), values,
                                    attributes(d, what)));
  }
  nb::dict out;
  out["variables"] = variables;
  out["attrs"] = attributes(file, "the file");
  return out;
}

}  // namespace

nb::dict read_netcdf_image(const std::vector<std::uint8_t>& image) {
  QuietHdf5Errors quiet;
  // Read in place: HDF5 neither copies the image nor frees it.
  const unsigned flags = H5LT_FILE_IMAGE_DONT_COPY | H5LT_FILE_IMAGE_DONT_RELEASE;
  Handle file = own(H5LTopen_file_image(const_cast<std::uint8_t*>(image.data()), image.size(),
                                        flags),
                    H5Fclose, "open the in-memory file");
  return read_open_file(file.get());
}

nb::dict read_netcdf_file(const std::string& path) {
  QuietHdf5Errors quiet;
  Handle file = own(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, "open " + path);
  return read_open_file(file.get());
}

}  // namespace ll::python
