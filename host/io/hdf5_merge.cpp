// `lightlane merge` (merge_shards, host/io/hdf5_writer.hpp): the shards of one run into one file
// of the run's layout whose per-point datasets are HDF5 virtual datasets over the shard files.
#include "host/io/hdf5_writer.hpp"

#include <hdf5.h>
#include <hdf5_hl.h>

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "host/io/hdf5_detail.hpp"
#include "host/io/hdf5_schema.hpp"

// ---- merge ------------------------------------------------------------------------------------

namespace ll {
using namespace hdf5_detail;

namespace {

// Every attribute of `from` onto `to`, but the dimension-scale bookkeeping (re-made by
// H5DSset_scale / H5DSattach_scale in the merged file) and the names in `skip`.
void copy_attributes(const Checker& check, hid_t from, hid_t to,
                     const std::set<std::string>& skip = {}) {
  struct Context {
    const Checker* check;
    hid_t to;
    const std::set<std::string>* skip;
  } context{&check, to, &skip};
  auto copy_one = [](hid_t location, const char* name, const H5A_info_t*, void* data) -> herr_t {
    Context& c = *static_cast<Context*>(data);
    const std::string n(name);
    if (n == "DIMENSION_LIST" || n == "REFERENCE_LIST" || n == "CLASS" || n == "NAME" ||
        c.skip->count(n))
      return 0;
    const std::string what = "copy attribute '" + n + "'";
    Handle attribute = c.check->own(H5Aopen(location, name, H5P_DEFAULT), H5Aclose, what);
    Handle type = c.check->own(H5Aget_type(attribute.get()), H5Tclose, what);
    Handle space = c.check->own(H5Aget_space(attribute.get()), H5Sclose, what);
    const hssize_t count = H5Sget_simple_extent_npoints(space.get());
    std::vector<unsigned char> buffer(static_cast<std::size_t>(count) * H5Tget_size(type.get()));
    c.check->ok(H5Aread(attribute.get(), type.get(), buffer.data()), what);
    Handle copy = c.check->own(
        H5Acreate2(c.to, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose, what);
    c.check->ok(H5Awrite(copy.get(), type.get(), buffer.data()), what);
    if (H5Tdetect_class(type.get(), H5T_VLEN) > 0 || H5Tis_variable_str(type.get()) > 0)
      H5Dvlen_reclaim(type.get(), space.get(), H5P_DEFAULT, buffer.data());
    return 0;
  };
  hsize_t index = 0;
  check.ok(H5Aiterate2(from, H5_INDEX_CRT_ORDER, H5_ITER_INC, &index, copy_one, &context),
           "copy attributes");
}

// The name (without the leading '/') of the dimension scale attached to `axis` of a dataset.
std::string scale_name(hid_t dataset, unsigned axis) {
  std::string name;
  auto visit = [](hid_t, unsigned, hid_t scale, void* data) -> herr_t {
    char buffer[256] = {};
    H5Iget_name(scale, buffer, sizeof(buffer));
    *static_cast<std::string*>(data) = buffer[0] == '/' ? buffer + 1 : buffer;
    return 1;  // the first one
  };
  int index = 0;
  H5DSiterate_scales(dataset, axis, &index, visit, &name);
  return name;
}

}  // namespace

void merge_shards(const std::string& out_path, const std::vector<std::string>& shard_paths) {
  QuietHdf5Errors quiet;
  const Checker check(out_path);
  if (shard_paths.empty()) throw std::invalid_argument("merge: no shard files given");
  const std::size_t N = shard_paths.size();
  // Each shard's file, in shard order; they must be one run's N shards.
  std::vector<Handle> files(N);
  std::vector<std::string> paths(N);
  for (const std::string& path : shard_paths) {
    Handle f = check.own(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose,
                         "open shard '" + path + "'");
    const std::string shard = read_root_string(check, f.get(), "shard");
    const auto slash = shard.find('/');
    if (slash == std::string::npos)
      throw std::invalid_argument("merge: '" + path +
                                  "' is not a shard's file (no shard attribute)");
    const std::size_t k = std::stoul(shard.substr(0, slash)),
                      n = std::stoul(shard.substr(slash + 1));
    if (k >= n)
      throw std::invalid_argument("merge: '" + path + "' says it is shard " + shard +
                                  "; expected k/N with k < N");
    if (n != N)
      throw std::invalid_argument("merge: '" + path + "' is shard " + shard + ", but " +
                                  std::to_string(N) + " files were given; expected all " +
                                  std::to_string(n) + " shards of the run");
    if (files[k].get() >= 0)
      throw std::invalid_argument("merge: '" + path + "' and '" + paths[k] + "' are both shard " +
                                  shard);
    files[k] = std::move(f);
    paths[k] = path;
  }
  // One run: every shard's scenario and overrides are shard 0's.
  const std::string scenario = read_root_string(check, files[0].get(), "scenario");
  const std::string overrides = read_root_string(check, files[0].get(), "scenario_overrides");
  for (std::size_t k = 1; k < N; ++k)
    if (read_root_string(check, files[k].get(), "scenario") != scenario ||
        read_root_string(check, files[k].get(), "scenario_overrides") != overrides)
      throw std::invalid_argument("merge: '" + paths[k] +
                                  "' comes from another scenario or other --set overrides");
  const hid_t first = files[0].get();

  // The sweep's axes: stop_reason's, less the lane.
  Handle stop =
      check.own(H5Dopen2(first, "stop_reason", H5P_DEFAULT), H5Dclose, "open stop_reason");
  Handle stop_space = check.own(H5Dget_space(stop.get()), H5Sclose, "open stop_reason");
  const std::vector<hsize_t> stop_dims = space_dims(stop_space.get());
  std::size_t sweep_axes = stop_dims.size();
  if (sweep_axes > 1 && scale_name(stop.get(), static_cast<unsigned>(sweep_axes - 1)) == kLaneDim)
    --sweep_axes;
  const std::vector<hsize_t> sweep(stop_dims.begin(), stop_dims.begin() + sweep_axes);

  Handle fcpl = check.own(H5Pcreate(H5P_FILE_CREATE), H5Pclose, "create the file");
  check.ok(H5Pset_link_creation_order(fcpl.get(), kCreationOrder), "create the file");
  check.ok(H5Pset_attr_creation_order(fcpl.get(), kCreationOrder), "create the file");
  Handle fapl = check.own(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "create the file");
  // Virtual datasets need the 1.10 file format.
  check.ok(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V110, H5F_LIBVER_V110), "create the file");
  Handle out = check.own(H5Fcreate(out_path.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()),
                         H5Fclose, "create the file");
  copy_attributes(check, first, out.get(), {"shard"});
  write_string_attribute(check, out.get(), "merged_shards", std::to_string(N));

  // The datasets of the first shard, in creation order.
  std::vector<std::string> names;
  auto collect = [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
    static_cast<std::vector<std::string>*>(data)->push_back(name);
    return 0;
  };
  hsize_t index = 0;
  check.ok(H5Literate(first, H5_INDEX_CRT_ORDER, H5_ITER_INC, &index, collect, &names),
           "list the datasets");
  const std::filesystem::path out_dir =
      std::filesystem::absolute(std::filesystem::path(out_path)).parent_path();
  std::map<std::string, Handle> scales;  // the merged file's dimension scales by name
  // Every dataset that is not a scale, its axes' scales attached once all scales exist.
  std::vector<std::pair<std::string, Handle>> to_attach;
  for (const std::string& name : names) {
    const std::string what = "merge dataset '" + name + "'";
    Handle source = check.own(H5Dopen2(first, name.c_str(), H5P_DEFAULT), H5Dclose, what);
    Handle type = check.own(H5Dget_type(source.get()), H5Tclose, what);
    Handle space = check.own(H5Dget_space(source.get()), H5Sclose, what);
    const std::vector<hsize_t> dims = space_dims(space.get());
    Handle source_dcpl = check.own(H5Dget_create_plist(source.get()), H5Pclose, what);
    Handle dcpl = check.own(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, what);
    check.ok(H5Pset_attr_creation_order(dcpl.get(), kCreationOrder), what);
    const bool is_scale = H5DSis_scale(source.get()) > 0;
    const bool point_data = !is_scale && dims.size() >= sweep_axes &&
                            std::equal(sweep.begin(), sweep.end(), dims.begin());
    if (point_data) {
      // A virtual dataset: each shard's points (p mod N = k) from that shard's file.
      H5D_fill_value_t defined = H5D_FILL_VALUE_UNDEFINED;
      H5Pfill_value_defined(source_dcpl.get(), &defined);
      if (defined == H5D_FILL_VALUE_USER_DEFINED) {
        std::vector<unsigned char> fill(H5Tget_size(type.get()));
        check.ok(H5Pget_fill_value(source_dcpl.get(), type.get(), fill.data()), what);
        check.ok(H5Pset_fill_value(dcpl.get(), type.get(), fill.data()), what);
      }
      const std::size_t last = sweep_axes - 1;
      std::size_t rows = 1;
      for (std::size_t a = 0; a < last; ++a) rows *= sweep[a];
      for (std::size_t k = 0; k < N; ++k) {
        Handle selection = check.own(H5Scopy(space.get()), H5Sclose, what);
        check.ok(H5Sselect_none(selection.get()), what);
        for (std::size_t row = 0; row < rows; ++row) {
          // Points of this row: row * n_last + i; those with (that) mod N = k.
          const std::size_t base = row * sweep[last];
          std::vector<hsize_t> start(dims.size(), 0), stride(dims.size(), 1), count(dims.size(), 1),
              block(dims.begin(), dims.end());
          point_index(base, sweep, start.data());
          std::fill(block.begin(), block.begin() + static_cast<long>(sweep_axes), 1);
          const std::size_t offset = (k + N - base % N) % N;
          if (offset >= sweep[last]) continue;
          start[last] = offset;
          stride[last] = N;
          count[last] = (sweep[last] - offset + N - 1) / N;
          block[last] = 1;
          check.ok(H5Sselect_hyperslab(selection.get(), H5S_SELECT_OR, start.data(), stride.data(),
                                       count.data(), block.data()),
                   what);
        }
        if (H5Sget_select_npoints(selection.get()) == 0) continue;
        const std::string source_file =
            std::filesystem::relative(std::filesystem::absolute(paths[k]), out_dir).string();
        check.ok(H5Pset_virtual(dcpl.get(), selection.get(), source_file.c_str(), name.c_str(),
                                selection.get()),
                 what + " (map shard " + std::to_string(k) + ")");
      }
      Handle merged = check.own(H5Dcreate2(out.get(), name.c_str(), type.get(), space.get(),
                                           H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                                H5Dclose, what);
      copy_attributes(check, source.get(), merged.get());
      to_attach.emplace_back(name, std::move(merged));
      continue;
    }
    // Coordinates and scales: copied whole.
    Handle copy = check.own(H5Dcreate2(out.get(), name.c_str(), type.get(), space.get(),
                                       H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                            H5Dclose, what);
    std::size_t bytes = H5Tget_size(type.get());
    for (hsize_t d : dims) bytes *= static_cast<std::size_t>(d);
    std::vector<unsigned char> data(bytes);
    if (bytes > 0) {
      check.ok(H5Dread(source.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), what);
      check.ok(H5Dwrite(copy.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), what);
    }
    copy_attributes(check, source.get(), copy.get());
    if (is_scale) {
      check.ok(H5DSset_scale(copy.get(), name.c_str()), what);
      scales.emplace(name, std::move(copy));
    } else {
      to_attach.emplace_back(name, std::move(copy));
    }
  }
  // Every dataset's axes get the merged file's scales of the same names.
  for (auto& [name, dataset] : to_attach) {
    Handle source = check.own(H5Dopen2(first, name.c_str(), H5P_DEFAULT), H5Dclose, name);
    Handle space = check.own(H5Dget_space(source.get()), H5Sclose, name);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    for (int axis = 0; axis < rank; ++axis) {
      const std::string scale = scale_name(source.get(), static_cast<unsigned>(axis));
      const auto it = scales.find(scale);
      if (it != scales.end())
        attach(check, dataset.get(), it->second.get(), static_cast<unsigned>(axis), name);
    }
  }
  to_attach.clear();
  scales.clear();
  check.ok(H5Fflush(out.get(), H5F_SCOPE_GLOBAL), "flush the file");
}

}  // namespace ll
