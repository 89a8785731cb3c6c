// HDF5 C API + H5DS (dimension scales) writer of the netCDF-4 / CF-1.8 result layout described
// in hdf5_writer.hpp. netCDF-4 is plain HDF5 plus conventions; the ones that matter here:
//  - every dimension is a 1-D dataset made a dimension scale whose NAME is the dimension name
//    (a "coordinate variable"), and every axis of every variable has its scale attached;
//  - groups track link and attribute creation order (netCDF-C refuses or misorders files
//    without it, and xarray then lists variables in the order we created them);
//  - text attributes are strings (we use variable-length UTF-8 so h5py returns str).
// The pieces: this file the file's lifecycle (create, resume, the finished points, close);
// hdf5_schema.hpp what is written (names, units, dimensions, fill values, order);
// hdf5_write_points.cpp a slab of points; hdf5_merge.cpp the shards' merge; hdf5_detail.hpp
// (defined in hdf5_primitives.cpp) the attribute, dataset and dimension-scale primitives.
#include "host/io/hdf5_writer.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "host/io/hdf5_detail.hpp"
#include "host/io/hdf5_schema.hpp"

namespace ll {
using namespace hdf5_detail;

static_assert(std::is_same_v<hid_t, std::int64_t>,
              "Hdf5Writer keeps the file id as std::int64_t; needs HDF5 >= 1.10");

// ---- Hdf5Writer -------------------------------------------------------------------------------

Hdf5Writer::Hdf5Writer(const std::string& path, const OutputLayout& layout, Mode mode,
                       std::vector<std::uint8_t>* image)
    : path_(path),
      image_(mode == Mode::memory ? image : nullptr),
      points_(layout.points),
      lanes_(layout.lanes),
      eye_amplitude_bins_(layout.eye_amplitude.size()),
      eye_phase_bins_(layout.eye_phase_ui.size()),
      bathtub_bins_(layout.bathtub_phase_ui.size()),
      contours_(layout.contour_ber.size()),
      eye_edges_(static_cast<std::size_t>(layout.eye_edges)) {
  // Validate before touching the file, so a bad layout does not truncate an existing output.
  std::set<std::string> names{kPointDim,    kDrawDim,          kLaneDim,    kEyeAmplitudeDim,
                              kEyePhaseDim, kEyeHistogramName, kBathtubDim, kBathtubName,
                              kContourDim,  kEyeEdgeDim,       kContourName};
  for (const auto& c : kEyeOpeningColumns) names.insert(c.name);
  for (const auto& c : kEyeMetricColumns) names.insert(c.name);
  for (const auto& c : kChannelColumns) names.insert(c.name);
  for (const auto& h : kCountHistograms) names.insert({h.dim, h.name});
  for (const auto& c : kWdmColumns) names.insert(c.name);
  for (const auto& c : kEnergyColumns) names.insert(c.name);
  for (const auto& c : kMarginColumns) names.insert(c.name);
  for (const auto& c : kFlagColumns) names.insert(c.name);
  for (const auto& c : kCountColumns) names.insert(c.name);
  for (const auto& c : kRatioColumns) names.insert(c.name);
  for (const auto& c : kFigureColumns) names.insert(c.name);
  // A grid: every swept key with an axis a dimension, their product (times the draws at each
  // grid point, the last dimension) the points; the other keys are the draws.
  const bool grid = std::any_of(layout.swept.begin(), layout.swept.end(),
                                [](const SweptKey& k) { return !k.axis.empty(); });
  const bool drawn = std::any_of(layout.swept.begin(), layout.swept.end(),
                                 [](const SweptKey& k) { return k.axis.empty(); });
  if (grid && drawn != (layout.draws > 0))
    throw std::invalid_argument("HDF5 output '" + path +
                                "': a grid's keys without an axis must be draws at every grid "
                                "point, and draws need such keys");
  if (grid) {
    std::size_t product = 1;
    for (const SweptKey& k : layout.swept) {
      if (k.axis.empty()) continue;
      sweep_shape_.push_back(k.axis.size());
      product *= k.axis.size();
    }
    if (layout.draws > 0) {
      sweep_shape_.push_back(layout.draws);
      product *= layout.draws;
    }
    if (product != layout.points)
      throw std::invalid_argument("HDF5 output '" + path + "': the grid's axes make " +
                                  std::to_string(product) + " points, not " +
                                  std::to_string(layout.points));
  } else {
    sweep_shape_.push_back(layout.points);
  }
  std::string coordinates;  // CF: auxiliary coordinate variables, separated by spaces
  for (const SweptKey& swept : layout.swept) {
    const std::string name = swept_dataset_name(swept.key);
    if (name.empty() || name.find('/') != std::string::npos ||
        name.find(' ') != std::string::npos) {
      throw std::invalid_argument("HDF5 output '" + path + "': swept key '" + swept.key +
                                  "' cannot name a dataset");
    }
    if (!names.insert(name).second) {
      throw std::invalid_argument("HDF5 output '" + path + "': swept key '" + swept.key +
                                  "' gives dataset name '" + name + "', which is taken");
    }
    if (swept.values.size() != layout.points) {
      throw std::invalid_argument("HDF5 output '" + path + "': swept key '" + swept.key + "' has " +
                                  std::to_string(swept.values.size()) + " values for " +
                                  std::to_string(layout.points) + " points");
    }
    if (!swept.axis.empty()) continue;  // a dimension of its own, not an auxiliary coordinate
    if (!coordinates.empty()) coordinates += ' ';
    coordinates += name;
  }

  QuietHdf5Errors quiet;
  const Checker check(path_);
  if (mode == Mode::resume) {
    open_for_resume(layout);
    return;
  }

  Handle fcpl = check.own(H5Pcreate(H5P_FILE_CREATE), H5Pclose, "create the file");
  check.ok(H5Pset_link_creation_order(fcpl.get(), kCreationOrder), "create the file");
  check.ok(H5Pset_attr_creation_order(fcpl.get(), kCreationOrder), "create the file");
  Handle fapl = check.own(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "create the file");
  // The 1.8 format is what netCDF-C writes and every HDF5 since 1.8 reads. Capping the format
  // there also keeps superblock v3's "file is open for writing" flag out of the file, which
  // would make readers refuse the output of a killed run until someone runs h5clear.
  // In memory the bounds stay HDF5's default: with them, HDF5 1.10's image of a file still
  // open keeps the superblock's "open for writing" flag under a stale checksum, and no reader
  // opens it (seen with 1.10.8); the default's superblock has neither, and an image closes
  // nothing, so the reason above does not arise.
  if (mode != Mode::memory)
    check.ok(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V18, H5F_LIBVER_V18), "create the file");
  set_point_write_access(check, fapl.get());
  // In memory: grown 1 MiB at a time, never written out (backing store off).
  if (mode == Mode::memory)
    check.ok(H5Pset_fapl_core(fapl.get(), std::size_t{1} << 20, /*backing_store=*/0),
             "create the file in memory");
  Handle file = check.own(H5Fcreate(path_.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()), H5Fclose,
                          "create the file");
  const hid_t fid = file.get();

  // Root attributes.
  write_string_attribute(check, fid, "Conventions", "CF-1.8");
  write_string_attribute(check, fid, "title", "lightlane simulation results");
  write_string_attribute(check, fid, "scenario", layout.scenario_text);
  write_string_attribute(check, fid, "scenario_path", layout.scenario_path);
  write_string_attribute(check, fid, "scenario_overrides", layout.scenario_overrides);
  if (!layout.shard.empty()) write_string_attribute(check, fid, "shard", layout.shard);
  write_string_attribute(check, fid, "lightlane_version", layout.version);
  write_string_attribute(check, fid, "git_revision", layout.git_revision);
  write_string_attribute(check, fid, "backend", layout.backend);

  // Dimensions: the sweep's (a grid's keys, or `point`), then the others.
  std::vector<Handle> sweep_scales;
  if (grid) {
    for (const SweptKey& swept : layout.swept) {
      if (swept.axis.empty()) continue;
      const std::string name = swept_dataset_name(swept.key);
      sweep_scales.push_back(create_dimension(
          check, fid, name.c_str(), H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, swept.axis.data(),
          swept.axis.size(), swept.units.c_str(), swept.key.c_str()));
    }
    if (layout.draws > 0)  // the same drawn values at every grid point
      sweep_scales.push_back(create_index_dimension(check, fid, kDrawDim, layout.draws, "draw"));
  } else {
    sweep_scales.push_back(
        create_index_dimension(check, fid, kPointDim, points_, "sweep point index"));
  }
  // The first axis after the sweep's (and the lane's) of a per-point variable.
  const unsigned sweep_axes = static_cast<unsigned>(sweep_shape_.size());
  const unsigned first_block_axis = sweep_axes + (lanes_ > 0 ? 1 : 0);
  const Handle amplitude_scale =
      create_dimension(check, fid, kEyeAmplitudeDim, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                       layout.eye_amplitude.data(), eye_amplitude_bins_, "1",
                       "received signal normalised to the outer levels (-1 lowest, +1 highest)");
  const Handle phase_scale = create_dimension(
      check, fid, kEyePhaseDim, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, layout.eye_phase_ui.data(),
      eye_phase_bins_, "UI", "time from the sampling instant");
  const Handle bathtub_scale = create_dimension(
      check, fid, kBathtubDim, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, layout.bathtub_phase_ui.data(),
      bathtub_bins_, "UI", "sampling phase from the decision instant");

  std::vector<Handle> histogram_scales;
  for (const CountHistogram& h : kCountHistograms)
    histogram_scales.push_back(create_index_dimension(
        check, fid, h.dim, static_cast<std::size_t>(h.bins), h.dim_long_name, h.first_value));

  // A WDM bus: every per-point variable gets the `lane` dimension after the sweep's.
  Handle lane_scale;
  if (lanes_ > 0)
    lane_scale = create_index_dimension(
        check, fid, kLaneDim, lanes_, "lane of the WDM bus (channel index, wavelength ascending)");
  const std::vector<hsize_t> sweep_dims(sweep_shape_.begin(), sweep_shape_.end());
  std::vector<hsize_t> point_dims = sweep_dims;
  if (lanes_ > 0) point_dims.push_back(static_cast<hsize_t>(lanes_));
  // Swept keys of lists and draws: auxiliary coordinates over the sweep's dimensions (`point`, or
  // a grid's and `draw`), written whole now (they are known up front, so they carry no fill
  // value).
  for (const SweptKey& swept : layout.swept) {
    if (!swept.axis.empty()) continue;
    const std::string name = swept_dataset_name(swept.key);
    Handle dataset = create_dataset(check, fid, name, H5T_IEEE_F64LE, sweep_dims, nullptr);
    write_whole(check, dataset.get(), H5T_NATIVE_DOUBLE, swept.values.data(), swept.values.size(),
                name);
    describe(check, dataset.get(), swept.units.c_str(), swept.key);
    for (unsigned a = 0; a < sweep_scales.size(); ++a)
      attach(check, dataset.get(), sweep_scales[a].get(), a, name);
  }

  // Per-point data variables.
  auto finish_point_variable = [&](const Handle& dataset, const std::string& name) {
    if (!coordinates.empty()) {
      write_string_attribute(check, dataset.get(), "coordinates", coordinates);
    }
    for (unsigned a = 0; a < sweep_axes; ++a)
      attach(check, dataset.get(), sweep_scales[a].get(), a, name);
    if (lanes_ > 0) attach(check, dataset.get(), lane_scale.get(), sweep_axes, name);
  };
  const Fill count_fill{H5T_NATIVE_UINT64, &kCountFill};
  for (const CountColumn& column : kCountColumns) {
    Handle dataset =
        create_dataset(check, fid, column.name, H5T_STD_U64LE, point_dims, &count_fill);
    describe(check, dataset.get(), "1", column.long_name);
    finish_point_variable(dataset, column.name);
  }
  const Fill real_fill{H5T_NATIVE_DOUBLE, &kRealFill};
  auto create_real_columns = [&](const auto& columns) {
    for (const RealColumn& column : columns) {
      Handle dataset =
          create_dataset(check, fid, column.name, H5T_IEEE_F64LE, point_dims, &real_fill);
      describe(check, dataset.get(), column.units, column.long_name);
      if (std::string(column.name) == "com_reference_db")
        write_string_attribute(check, dataset.get(), "com_set", layout.com_set);
      finish_point_variable(dataset, column.name);
    }
  };
  create_real_columns(kRatioColumns);
  for (const FlagColumn& column : kFlagColumns) {
    const Fill flag_fill{H5T_NATIVE_UINT8, &column.fill};
    Handle dataset = create_dataset(check, fid, column.name, H5T_STD_U8LE, point_dims, &flag_fill);
    describe(check, dataset.get(), "1", column.long_name);
    // CF flags: flag_values has the variable's type, flag_meanings one word per value.
    std::vector<std::uint8_t> flag_values(column.count);
    for (std::uint8_t v = 0; v < column.count; ++v) flag_values[v] = v;
    write_numeric_attribute(check, dataset.get(), "flag_values", H5T_STD_U8LE, H5T_NATIVE_UINT8,
                            flag_values.data(), flag_values.size());
    write_string_attribute(check, dataset.get(), "flag_meanings", column.meanings);
    finish_point_variable(dataset, column.name);
  }
  {
    const Fill eye_fill{H5T_NATIVE_UINT32, &kEyeFill};
    std::vector<hsize_t> eye_dims = point_dims;
    eye_dims.push_back(static_cast<hsize_t>(eye_amplitude_bins_));
    eye_dims.push_back(static_cast<hsize_t>(eye_phase_bins_));
    Handle dataset = create_dataset(check, fid, kEyeHistogramName, H5T_STD_U32LE, eye_dims,
                                    &eye_fill, /*chunk_point_axes=*/first_block_axis);
    describe(check, dataset.get(), "1", "eye diagram sample counts");
    finish_point_variable(dataset, kEyeHistogramName);
    attach(check, dataset.get(), amplitude_scale.get(), first_block_axis, kEyeHistogramName);
    attach(check, dataset.get(), phase_scale.get(), first_block_axis + 1, kEyeHistogramName);
  }
  create_real_columns(kFigureColumns);
  create_real_columns(kEyeMetricColumns);
  create_real_columns(kChannelColumns);
  create_real_columns(kEyeOpeningColumns);
  {
    std::vector<hsize_t> dims = point_dims;
    dims.push_back(static_cast<hsize_t>(bathtub_bins_));
    Handle dataset = create_dataset(check, fid, kBathtubName, H5T_IEEE_F64LE, dims, &real_fill);
    describe(check, dataset.get(), "1",
             "statistical BER against the sampling phase (run.mode = \"stat\")");
    finish_point_variable(dataset, kBathtubName);
    attach(check, dataset.get(), bathtub_scale.get(), first_block_axis, kBathtubName);
  }
  if (contours_ > 0) {
    const Handle contour_scale = create_dimension(check, fid, kContourDim, H5T_IEEE_F64LE,
                                                  H5T_NATIVE_DOUBLE, layout.contour_ber.data(),
                                                  contours_, "1", "statistical eye contour level");
    const Handle edge_scale = create_index_dimension(
        check, fid, kEyeEdgeDim, eye_edges_,
        "2 e: floor of eye e (counted from the lowest current), 2 e + 1: its ceiling");
    std::vector<hsize_t> dims = point_dims;
    dims.insert(dims.end(), {static_cast<hsize_t>(contours_), static_cast<hsize_t>(eye_edges_),
                             static_cast<hsize_t>(bathtub_bins_)});
    Handle dataset = create_dataset(check, fid, kContourName, H5T_IEEE_F64LE, dims, &real_fill);
    describe(check, dataset.get(), "A",
             "statistical eye contours: photocurrent of each eye's floor and ceiling where a "
             "level's tail probability is contour_ber");
    finish_point_variable(dataset, kContourName);
    attach(check, dataset.get(), contour_scale.get(), first_block_axis, kContourName);
    attach(check, dataset.get(), edge_scale.get(), first_block_axis + 1, kContourName);
    attach(check, dataset.get(), bathtub_scale.get(), first_block_axis + 2, kContourName);
  }
  create_real_columns(kEnergyColumns);
  create_real_columns(kMarginColumns);
  if (lanes_ > 0) create_real_columns(kWdmColumns);
  for (std::size_t k = 0; k < kCountHistograms.size(); ++k) {
    const CountHistogram& h = kCountHistograms[k];
    std::vector<hsize_t> dims = point_dims;
    dims.push_back(static_cast<hsize_t>(h.bins));
    Handle dataset = create_dataset(check, fid, h.name, H5T_STD_U64LE, dims, &count_fill);
    describe(check, dataset.get(), "1", h.long_name);
    finish_point_variable(dataset, h.name);
    attach(check, dataset.get(), histogram_scales[k].get(), first_block_axis, h.name);
  }

  check.ok(H5Fflush(fid, H5F_SCOPE_GLOBAL), "flush the file");
  file_id_ = file.release();
}

std::int64_t Hdf5Writer::open_dataset(const char* name) {
  const auto it = datasets_.find(name);
  if (it != datasets_.end()) return it->second;
  const Checker check(path_);
  const hid_t id = check
                       .own(H5Dopen2(static_cast<hid_t>(file_id_), name, H5P_DEFAULT), H5Dclose,
                            std::string("open dataset '") + name + "'")
                       .release();
  datasets_.emplace(name, id);
  return id;
}

void Hdf5Writer::open_for_resume(const OutputLayout& layout) {
  const Checker check(path_);
  // Checked read-only first: a refused resume leaves the file byte for byte as it was.
  Handle file = check.own(H5Fopen(path_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose,
                          "open the file to resume it");
  auto differs = [&](const std::string& what) {
    throw std::invalid_argument("HDF5 output '" + path_ + "': --resume: the file was written " +
                                what + "; expected the same run (or a new output file)");
  };
  if (read_root_string(check, file.get(), "scenario") != layout.scenario_text)
    differs("for another scenario text");
  const std::string overrides = read_root_string(check, file.get(), "scenario_overrides");
  if (overrides != layout.scenario_overrides)
    differs("with other --set overrides (" + overrides + ")");
  const std::string shard = read_root_string(check, file.get(), "shard");
  if (shard != layout.shard) differs("as shard \"" + shard + "\"");
  // The per-point datasets' shape: the sweep's axes, then the lanes.
  std::vector<hsize_t> expected(sweep_shape_.begin(), sweep_shape_.end());
  if (lanes_ > 0) expected.push_back(lanes_);
  Handle stop = check.own(H5Dopen2(file.get(), "stop_reason", H5P_DEFAULT), H5Dclose,
                          "open 'stop_reason' to resume");
  Handle space = check.own(H5Dget_space(stop.get()), H5Sclose, "open 'stop_reason' to resume");
  if (space_dims(space.get()) != expected) differs("with another sweep or lane layout");
  // Every per-point variable this build writes: a file from a build without some (an older
  // lightlane: the margin's, say) is refused here rather than failing at its first write.
  auto require = [&](const auto& columns) {
    for (const auto& c : columns)
      if (H5Lexists(file.get(), c.name, H5P_DEFAULT) <= 0)
        differs(std::string("without '") + c.name + "' (by an older lightlane?)");
  };
  require(kRatioColumns);
  require(kFigureColumns);
  require(kEyeMetricColumns);
  require(kChannelColumns);
  require(kEyeOpeningColumns);
  require(kEnergyColumns);
  require(kMarginColumns);
  stop.reset();
  space.reset();
  file.reset();
  Handle fapl = check.own(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "open the file to resume it");
  set_point_write_access(check, fapl.get());
  file_id_ = check
                 .own(H5Fopen(path_.c_str(), H5F_ACC_RDWR, fapl.get()), H5Fclose,
                      "open the file to resume it")
                 .release();
}

std::vector<bool> Hdf5Writer::finished_points() const {
  QuietHdf5Errors quiet;
  const Checker check(path_);
  const std::size_t per_point = lanes_ > 0 ? lanes_ : 1;
  std::vector<std::uint8_t> stop(points_ * per_point);
  Handle dataset = check.own(H5Dopen2(static_cast<hid_t>(file_id_), "stop_reason", H5P_DEFAULT),
                             H5Dclose, "read 'stop_reason'");
  if (!stop.empty())
    check.ok(H5Dread(dataset.get(), H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, stop.data()),
             "read 'stop_reason'");
  std::vector<bool> finished(points_, true);
  for (std::size_t i = 0; i < stop.size(); ++i)
    if (stop[i] == static_cast<std::uint8_t>(StopReason::not_run)) finished[i / per_point] = false;
  return finished;
}

Hdf5Writer::~Hdf5Writer() {
  try {
    close();
  } catch (...) {
    // A destructor must not throw; callers that care about close errors call close().
  }
}

void hdf5_no_teardown_at_exit() { H5dont_atexit(); }

void Hdf5Writer::close() {
  if (file_id_ < 0) return;
  QuietHdf5Errors quiet;
  const Checker check(path_);
  for (const auto& [name, id] : datasets_) H5Dclose(static_cast<hid_t>(id));
  datasets_.clear();
  // Owned until closed: a failure below closes it as it throws.
  Handle file(static_cast<hid_t>(std::exchange(file_id_, -1)), H5Fclose);
  if (image_) {
    // The whole file's bytes (flushed first: the image is what the file would hold on disk):
    // the size, then the copy.
    check.ok(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), "flush the in-memory file");
    const ssize_t size = H5Fget_file_image(file.get(), nullptr, 0);
    check.ok(size < 0 ? -1 : 0, "take the in-memory file's image");
    image_->resize(static_cast<std::size_t>(size));
    check.ok(H5Fget_file_image(file.get(), image_->data(), image_->size()) == size ? 0 : -1,
             "take the in-memory file's image");
  }
  check.ok(H5Fclose(file.release()), "close the file");
}

}  // namespace ll
