#include "host/fabric/run_values.hpp"

#include <hdf5.h>
#include <hdf5_hl.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <vector>

#include "host/io/hdf5_handle.hpp"

namespace ll::fabric {

namespace {

// A per-point dataset as doubles, with its lanes (the last axis when its scale is `lane`).
struct PerPoint {
  std::vector<double> values;
  std::size_t lanes = 1;
  std::size_t points() const { return values.size() / lanes; }
};

std::string last_scale_name(hid_t dataset, unsigned axis) {
  std::string name;
  auto visit = [](hid_t, unsigned, hid_t scale, void* data) -> herr_t {
    char buffer[256] = {};
    H5Iget_name(scale, buffer, sizeof(buffer));
    *static_cast<std::string*>(data) = buffer[0] == '/' ? buffer + 1 : buffer;
    return 1;
  };
  int index = 0;
  if (H5DSget_num_scales(dataset, axis) > 0)
    H5DSiterate_scales(dataset, axis, &index, visit, &name);
  return name;
}

// nullopt when the file has no such dataset; `failed` set when it has one that cannot be read.
std::optional<PerPoint> read_per_point(hid_t file, const char* name, bool& failed) {
  failed = false;
  auto unreadable = [&failed]() {
    failed = true;
    return std::optional<PerPoint>{};
  };
  if (H5Lexists(file, name, H5P_DEFAULT) <= 0) return std::nullopt;
  const Hdf5Handle dataset(H5Dopen2(file, name, H5P_DEFAULT), H5Dclose);
  if (dataset.get() < 0) return unreadable();
  const Hdf5Handle space(H5Dget_space(dataset.get()), H5Sclose);
  const int rank = space.get() < 0 ? -1 : H5Sget_simple_extent_ndims(space.get());
  if (rank < 0 || rank > 32) return unreadable();
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  hsize_t total = 1;
  for (hsize_t d : dims) total *= d;
  PerPoint p;
  p.values.resize(static_cast<std::size_t>(total));
  if (total > 0 &&
      H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, p.values.data()) < 0)
    return unreadable();
  if (rank >= 2 && last_scale_name(dataset.get(), static_cast<unsigned>(rank - 1)) == "lane")
    p.lanes = static_cast<std::size_t>(std::max<hsize_t>(dims.back(), 1));
  return p;
}

}  // namespace

RunPortValues read_run_port(const std::string& file, std::int64_t point,
                            const SourceLocation& run_where, const std::string& run_key,
                            const SourceLocation& point_where, const std::string& point_key) {
  const std::string quoted = "\"" + file + "\"";
  std::error_code ec;
  if (!std::filesystem::exists(file, ec))
    fail_at(run_where, run_key,
            "cannot open " + quoted + " (no such file); expected a lightlane run's HDF5 output");
  if (!std::filesystem::is_regular_file(file, ec))
    fail_at(run_where, run_key, quoted + " is not a file; expected a lightlane run's HDF5 output");
  QuietHdf5Errors quiet;
#if H5_VERSION_GE(1, 12, 0)
  const htri_t is_hdf5 = H5Fis_accessible(file.c_str(), H5P_DEFAULT);
#else
  const htri_t is_hdf5 = H5Fis_hdf5(file.c_str());
#endif
  if (is_hdf5 <= 0)
    fail_at(run_where, run_key, quoted + " is not an HDF5 file; expected a lightlane run's output");
  const Hdf5Handle h5(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (h5.get() < 0) fail_at(run_where, run_key, "cannot open " + quoted + " as HDF5");

  auto dataset = [&](const char* name, bool required) -> std::optional<PerPoint> {
    bool failed = false;
    std::optional<PerPoint> p = read_per_point(h5.get(), name, failed);
    if (failed)
      fail_at(run_where, run_key, "cannot read dataset " + std::string(name) + " of " + quoted);
    if (!p && required)
      fail_at(run_where, run_key,
              quoted + " has no dataset " + name +
                  "; expected a run whose scenario has [energy] (it writes port_power_w and "
                  "port_rate_gbps)");
    return p;
  };
  const PerPoint power = *dataset("port_power_w", true);
  const PerPoint rate = *dataset("port_rate_gbps", true);
  const std::size_t points = power.points();
  if (point < 0 || static_cast<std::size_t>(point) >= points)
    fail_at(point_where, point_key,
            "expected a point index from 0 to " + std::to_string(points == 0 ? 0 : points - 1) +
                " (the points of " + quoted + "), got " + std::to_string(point));
  const auto p = static_cast<std::size_t>(point);

  // The worst lane of a point: the largest value (or the smallest for a margin); NaN if any
  // lane's is NaN.
  auto worst = [&](const PerPoint& d, bool largest) {
    if (d.points() != points) return std::numeric_limits<double>::quiet_NaN();
    double w = d.values[p * d.lanes];
    for (std::size_t l = 0; l < d.lanes; ++l) {
      const double v = d.values[p * d.lanes + l];
      if (std::isnan(v)) return v;
      w = largest ? std::max(w, v) : std::min(w, v);
    }
    return w;
  };
  RunPortValues out;
  out.port_power_w = worst(power, true);
  out.port_rate_gbps = worst(rate, true);
  const std::string at = " at point " + std::to_string(point) + " of " + quoted;
  if (!(std::isfinite(out.port_power_w) && out.port_power_w > 0.0))
    fail_at(run_where, run_key,
            "port_power_w" + at + " is " + format_number(out.port_power_w, 6) +
                "; expected a finished point of a run with [energy]");
  if (!(std::isfinite(out.port_rate_gbps) && out.port_rate_gbps > 0.0))
    fail_at(run_where, run_key,
            "port_rate_gbps" + at + " is " + format_number(out.port_rate_gbps, 6) +
                "; expected a finished point of a run with [energy]");
  if (auto lasers = dataset("lasers_per_port", false)) out.lasers_per_port = worst(*lasers, true);
  if (auto margin = dataset("margin_db", false)) out.margin_db = worst(*margin, false);
  if (auto ber = dataset("ber", false)) out.ber = worst(*ber, true);
  return out;
}

}  // namespace ll::fabric
