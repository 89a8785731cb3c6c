// Hdf5Writer::write_points (host/io/hdf5_writer.hpp): a slab of points into every per-point
// dataset of the schema (host/io/hdf5_schema.hpp), stop_reason last, then a flush.
#include "host/io/hdf5_writer.hpp"

#include <hdf5.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "host/io/hdf5_detail.hpp"
#include "host/io/hdf5_schema.hpp"

namespace ll {
using namespace hdf5_detail;

void Hdf5Writer::write_points(std::size_t first_point, const std::vector<PointResult>& results) {
  if (file_id_ < 0) {
    throw std::runtime_error("HDF5 output '" + path_ + "': write_points after close");
  }
  const std::size_t per_point = lanes_ > 0 ? lanes_ : 1;
  if (results.size() % per_point != 0) {
    throw std::invalid_argument("HDF5 output '" + path_ + "': " + std::to_string(results.size()) +
                                " results are not whole points of " + std::to_string(per_point) +
                                " lanes");
  }
  const std::size_t n = results.size() / per_point;  // points written
  if (first_point > points_ || n > points_ - first_point) {
    throw std::out_of_range("HDF5 output '" + path_ + "': points [" + std::to_string(first_point) +
                            ", " + std::to_string(first_point + n) + ") outside the " +
                            std::to_string(points_) + " points of the file");
  }
  const std::size_t eye_bins = eye_amplitude_bins_ * eye_phase_bins_;
  bool any_eye = false;
  for (std::size_t i = 0; i < results.size(); ++i) {
    any_eye = any_eye || !results[i].eye_histogram.empty();
    if (!results[i].eye_histogram.empty() && results[i].eye_histogram.size() != eye_bins) {
      throw std::invalid_argument(
          "HDF5 output '" + path_ + "': point " + std::to_string(first_point + i / per_point) +
          " has an eye histogram of " + std::to_string(results[i].eye_histogram.size()) +
          " bins, the layout " + std::to_string(eye_bins));
    }
  }
  if (results.empty()) return;

  QuietHdf5Errors quiet;
  const Checker check(path_);
  const hid_t fid = static_cast<hid_t>(file_id_);
  const std::size_t rows = results.size();
  // Each write: the points' elements of a dataset, its axes after the sweep's whole.
  std::vector<hsize_t> lane;  // the lane axis, on a bus
  if (lanes_ > 0) lane.push_back(lanes_);
  auto write_slab = [&](const char* name, hid_t memory_type, const void* data,
                        const std::vector<hsize_t>& trailing) {
    write_points_slab(check, open_dataset(name), name, memory_type, data, sweep_shape_, first_point,
                      n, trailing);
  };

  std::vector<std::uint64_t> counts(rows);
  for (const CountColumn& column : kCountColumns) {
    for (std::size_t i = 0; i < rows; ++i) counts[i] = results[i].*column.field;
    write_slab(column.name, H5T_NATIVE_UINT64, counts.data(), lane);
  }
  std::vector<double> reals(rows);
  auto write_real_columns = [&](const auto& columns) {
    for (const RealColumn& column : columns) {
      for (std::size_t i = 0; i < rows; ++i) reals[i] = results[i].*column.field;
      write_slab(column.name, H5T_NATIVE_DOUBLE, reals.data(), lane);
    }
  };
  write_real_columns(kRatioColumns);
  write_real_columns(kFigureColumns);
  write_real_columns(kEyeMetricColumns);
  write_real_columns(kChannelColumns);
  write_real_columns(kEyeOpeningColumns);
  write_real_columns(kEnergyColumns);
  write_real_columns(kMarginColumns);
  // A per-point block of reals (a point without it: NaN), written under the point's start.
  auto write_real_blocks = [&](const char* name, std::vector<double> PointResult::*field,
                               const std::vector<hsize_t>& block) {
    std::size_t per_point = 1;
    for (hsize_t n : block) per_point *= static_cast<std::size_t>(n);
    std::vector<double> values;
    values.reserve(rows * per_point);
    for (const PointResult& r : results) {
      const std::vector<double>& v = r.*field;
      if (v.empty())
        values.insert(values.end(), per_point, std::numeric_limits<double>::quiet_NaN());
      else if (v.size() == per_point)
        values.insert(values.end(), v.begin(), v.end());
      else
        throw std::invalid_argument("HDF5 output '" + path_ + "': a point's " + name + " holds " +
                                    std::to_string(v.size()) + " values, not " +
                                    std::to_string(per_point));
    }
    std::vector<hsize_t> trailing = lane;
    trailing.insert(trailing.end(), block.begin(), block.end());
    write_slab(name, H5T_NATIVE_DOUBLE, values.data(), trailing);
  };
  write_real_blocks(kBathtubName, &PointResult::bathtub_ber, {bathtub_bins_});
  if (contours_ > 0)
    write_real_blocks(kContourName, &PointResult::eye_contour_a,
                      {contours_, eye_edges_, bathtub_bins_});
  if (lanes_ > 0) write_real_columns(kWdmColumns);

  // The flags; stop_reason, the points' mark of being whole, last (below).
  std::vector<std::uint8_t> flags(rows);
  const FlagColumn* stop_column = nullptr;
  for (const FlagColumn& column : kFlagColumns) {
    if (std::string(column.name) == "stop_reason") {
      stop_column = &column;
      continue;
    }
    for (std::size_t i = 0; i < rows; ++i) flags[i] = column.get(results[i]);
    write_slab(column.name, H5T_NATIVE_UINT8, flags.data(), lane);
  }

  // Points without an eye read the fill value, zeros: a run of them is not written at all (its
  // chunks stay unallocated; deflating 64 KiB of zeros per point was most of a statistical
  // sweep's writing).
  if (eye_bins > 0 && any_eye) {
    std::vector<std::uint32_t> eyes;
    eyes.reserve(rows * eye_bins);
    for (const PointResult& r : results) {
      if (r.eye_histogram.empty())
        eyes.insert(eyes.end(), eye_bins, 0u);
      else
        eyes.insert(eyes.end(), r.eye_histogram.begin(), r.eye_histogram.end());
    }
    std::vector<hsize_t> trailing = lane;
    trailing.insert(trailing.end(), {eye_amplitude_bins_, eye_phase_bins_});
    write_slab(kEyeHistogramName, H5T_NATIVE_UINT32, eyes.data(), trailing);
  }

  for (const CountHistogram& h : kCountHistograms) {
    std::vector<std::uint64_t> values;
    values.reserve(rows * h.bins);
    for (const PointResult& r : results) {
      const std::vector<std::uint64_t>& v = r.*h.field;
      if (v.size() != static_cast<std::size_t>(h.bins))
        throw std::invalid_argument("HDF5 output '" + path_ + "': a point without its " +
                                    std::to_string(h.bins) + " " + h.name + " bins");
      values.insert(values.end(), v.begin(), v.end());
    }
    std::vector<hsize_t> trailing = lane;
    trailing.push_back(static_cast<hsize_t>(h.bins));
    write_slab(h.name, H5T_NATIVE_UINT64, values.data(), trailing);
  }

  // Everything else on disk first, then stop_reason: a run killed in between leaves the points
  // not_run (rerun on --resume), never marked finished with data missing.
  check.ok(H5Fflush(fid, H5F_SCOPE_GLOBAL), "flush the file");
  for (std::size_t i = 0; i < rows; ++i) flags[i] = stop_column->get(results[i]);
  write_slab(stop_column->name, H5T_NATIVE_UINT8, flags.data(), lane);
  // Metadata and raw data on disk now: a run killed before the next call keeps these points.
  check.ok(H5Fflush(fid, H5F_SCOPE_GLOBAL), "flush the file");
}

}  // namespace ll
