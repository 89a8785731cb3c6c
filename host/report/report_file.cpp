// Reads a run's HDF5 file for `lightlane report` with the HDF5 C API (read only: the file is
// opened H5F_ACC_RDONLY and nothing is created). The layout is host/io/hdf5_writer.cpp's: `ber`
// over the sweep's dimensions (a grid's keys then `draw`, or `point`) and then `lane` on a WDM
// bus, every per-point variable over the same dimensions, swept keys that are not dimensions
// named in ber's `coordinates` attribute.
#include "host/report/report_file.hpp"

#include <hdf5.h>
#include <hdf5_hl.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iterator>
#include <limits>
#include <sstream>
#include <system_error>
#include <utility>

#include "host/io/hdf5_handle.hpp"

namespace ll::report {

const std::vector<std::string> kReportVariables{"ber",
                                                "ber_lo",
                                                "ber_hi",
                                                "margin_db",
                                                "sensitivity_oma_dbm",
                                                "margin_target_ber",
                                                "fec_frame_loss_ratio",
                                                "port_power_w",
                                                "energy_pj_per_bit",
                                                "lasers_per_port"};

std::string Flag::meaning(std::uint8_t v) const {
  const auto it = meanings.find(v);
  return it == meanings.end() ? "value_" + std::to_string(v) : it->second;
}

const std::vector<double>* ReportFile::real(const std::string& name) const {
  const auto it = reals.find(name);
  return it == reals.end() ? nullptr : &it->second;
}

double ReportFile::at(const std::string& name, std::size_t p, std::size_t l) const {
  const std::vector<double>* v = real(name);
  return v == nullptr ? std::numeric_limits<double>::quiet_NaN() : (*v)[p * lane_count() + l];
}

namespace {

using Id = Hdf5Handle;

bool has_link(hid_t loc, const std::string& name) {
  return H5Lexists(loc, name.c_str(), H5P_DEFAULT) > 0 &&
         H5Oexists_by_name(loc, name.c_str(), H5P_DEFAULT) > 0;
}

std::string string_attribute(hid_t object, const char* name) {
  if (H5Aexists(object, name) <= 0) return "";
  Id attribute(H5Aopen(object, name, H5P_DEFAULT), H5Aclose);
  if (!attribute.ok()) return "";
  Id file_type(H5Aget_type(attribute.get()), H5Tclose);
  if (!file_type.ok() || H5Tget_class(file_type.get()) != H5T_STRING) return "";
  if (H5Tis_variable_str(file_type.get()) > 0) {
    Id type(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(type.get(), H5T_VARIABLE);
    H5Tset_cset(type.get(), H5Tget_cset(file_type.get()));
    char* text = nullptr;
    if (H5Aread(attribute.get(), type.get(), &text) < 0) return "";
    std::string value = text ? text : "";
    H5free_memory(text);
    return value;
  }
  std::string value(H5Tget_size(file_type.get()), '\0');
  Id type(H5Tcopy(file_type.get()), H5Tclose);
  if (H5Aread(attribute.get(), type.get(), value.data()) < 0) return "";
  return value.substr(0, value.find('\0'));
}

std::vector<hsize_t> dims_of(hid_t dataset) {
  Id space(H5Dget_space(dataset), H5Sclose);
  const int rank = space.ok() ? H5Sget_simple_extent_ndims(space.get()) : -1;
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
  if (rank > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return dims;
}

// The name of the dimension scale on `axis` of `dataset` ("" when none is attached).
std::string scale_name(hid_t dataset, unsigned axis) {
  if (H5DSget_num_scales(dataset, axis) <= 0) return "";
  std::string name;
  H5DSiterate_scales(
      dataset, axis, nullptr,
      [](hid_t, unsigned, hid_t scale, void* data) -> herr_t {
        char buffer[256] = {};
        if (H5DSget_scale_name(scale, buffer, sizeof buffer) > 0)
          *static_cast<std::string*>(data) = buffer;
        return 1;  // the first scale names the dimension
      },
      &name);
  return name;
}

// A whole numeric dataset converted to double (integers too), or nothing when it is absent, not
// numeric or not of `dims`.
std::optional<std::vector<double>> read_doubles(hid_t file, const std::string& name,
                                                const std::vector<hsize_t>& dims) {
  if (!has_link(file, name)) return std::nullopt;
  Id dataset(H5Dopen2(file, name.c_str(), H5P_DEFAULT), H5Dclose);
  if (!dataset.ok() || dims_of(dataset.get()) != dims) return std::nullopt;
  Id type(H5Dget_type(dataset.get()), H5Tclose);
  const H5T_class_t type_class = H5Tget_class(type.get());
  if (type_class != H5T_FLOAT && type_class != H5T_INTEGER) return std::nullopt;
  std::size_t count = 1;
  for (hsize_t d : dims) count *= static_cast<std::size_t>(d);
  std::vector<double> values(count);
  if (count > 0 &&
      H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
    return std::nullopt;
  return values;
}

Coordinate coordinate(hid_t file, const std::string& name, std::vector<double> values) {
  Id dataset(H5Dopen2(file, name.c_str(), H5P_DEFAULT), H5Dclose);
  std::string key = string_attribute(dataset.get(), "long_name");
  if (key.empty() || name == "draw" || name == "point") key = name;
  return {name, key, string_attribute(dataset.get(), "units"), std::move(values)};
}

// The root's dataset names in creation order (the writer tracks it), else by name.
std::vector<std::string> root_names(hid_t file) {
  std::vector<std::string> names;
  auto collect = [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
    static_cast<std::vector<std::string>*>(data)->push_back(name);
    return 0;
  };
  if (H5Literate(file, H5_INDEX_CRT_ORDER, H5_ITER_INC, nullptr, collect, &names) < 0) {
    names.clear();
    H5Literate(file, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect, &names);
  }
  return names;
}

bool is_energy_part(const std::string& name) {
  const std::string head = "energy_", tail = "_pj_per_bit";
  return name.size() > head.size() + tail.size() && name.starts_with(head) && name.ends_with(tail);
}

std::optional<Flag> read_flag(hid_t file, const char* name, const std::vector<hsize_t>& dims,
                              std::size_t count) {
  if (!has_link(file, name)) return std::nullopt;
  Id dataset(H5Dopen2(file, name, H5P_DEFAULT), H5Dclose);
  if (!dataset.ok() || dims_of(dataset.get()) != dims) return std::nullopt;
  Flag flag;
  flag.values.resize(count);
  if (count > 0 && H5Dread(dataset.get(), H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                           flag.values.data()) < 0)
    return std::nullopt;
  // CF flags: flag_values[i] means the i-th word of flag_meanings.
  std::istringstream words(string_attribute(dataset.get(), "flag_meanings"));
  std::vector<std::string> meanings{std::istream_iterator<std::string>(words), {}};
  if (H5Aexists(dataset.get(), "flag_values") > 0) {
    Id attribute(H5Aopen(dataset.get(), "flag_values", H5P_DEFAULT), H5Aclose);
    Id space(H5Aget_space(attribute.get()), H5Sclose);
    const hssize_t n = H5Sget_simple_extent_npoints(space.get());
    std::vector<std::uint8_t> values(static_cast<std::size_t>(std::max<hssize_t>(n, 0)));
    if (!values.empty() && H5Aread(attribute.get(), H5T_NATIVE_UINT8, values.data()) >= 0)
      for (std::size_t i = 0; i < values.size() && i < meanings.size(); ++i)
        flag.meanings[values[i]] = meanings[i];
  }
  if (flag.meanings.empty()) return std::nullopt;  // a flag nobody can read: left out
  return flag;
}

}  // namespace

std::size_t scenario_draws(const std::string& scenario_text, const std::string& overrides) {
  std::int64_t variation = 0, random = 0;
  try {
    const toml::table table = toml::parse(scenario_text);
    variation = table["mrm"]["variation"]["draws"].value_or<std::int64_t>(0);
    random = table["sweep"]["random"]["draws"].value_or<std::int64_t>(0);
  } catch (const toml::parse_error&) {
    return 0;  // not a scenario we can read: no draws claimed
  }
  std::istringstream lines(overrides);
  for (std::string line; std::getline(lines, line);) {
    const std::string key = "mrm.variation.draws=";
    if (!line.starts_with(key)) continue;
    try {
      variation = std::stoll(line.substr(key.size()));
    } catch (const std::exception&) {
    }
  }
  return static_cast<std::size_t>(std::max<std::int64_t>({variation, random, 0}));
}

ReportFile read_report_file(const std::string& path) {
  const auto fail = [&](const std::string& what) -> ReportInputError {
    return ReportInputError(path + ": " + what);
  };
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw fail("no such file");
  if (std::filesystem::is_directory(path, ec)) throw fail("is a folder, expected an HDF5 file");
  QuietHdf5Errors quiet;
  if (H5Fis_hdf5(path.c_str()) <= 0)
    throw fail("not an HDF5 file (expected a lightlane run's output, lightlane run -o FILE)");
  Id file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!file.ok()) throw fail("cannot open the HDF5 file");
  const hid_t fid = file.get();
  if (!has_link(fid, "ber"))
    throw fail(
        "no `ber` dataset: not a lightlane run's output (expected ber over the sweep's "
        "dimensions)");

  ReportFile out;
  out.path = path;
  out.scenario_path = string_attribute(fid, "scenario_path");
  out.scenario_text = string_attribute(fid, "scenario");
  out.scenario_overrides = string_attribute(fid, "scenario_overrides");
  out.version = string_attribute(fid, "lightlane_version");
  out.git_revision = string_attribute(fid, "git_revision");
  out.backend = string_attribute(fid, "backend");

  Id ber(H5Dopen2(fid, "ber", H5P_DEFAULT), H5Dclose);
  if (!ber.ok()) throw fail("cannot open the `ber` dataset");
  const std::vector<hsize_t> dims = dims_of(ber.get());
  std::vector<std::string> names;
  for (unsigned a = 0; a < dims.size(); ++a) names.push_back(scale_name(ber.get(), a));
  if (dims.empty() || std::find(names.begin(), names.end(), "") != names.end())
    throw fail(
        "`ber` has an axis without a named dimension (expected the sweep's dimensions, "
        "then `lane` on a WDM bus)");
  const bool lane_axis = names.back() == "lane";
  if (lane_axis && dims.size() < 2) throw fail("`ber` has only the `lane` dimension");
  if (lane_axis) out.lanes = static_cast<std::size_t>(dims.back());
  out.sweep_dims.assign(names.begin(), names.end() - (lane_axis ? 1 : 0));
  out.points = 1;
  for (std::size_t a = 0; a < out.sweep_dims.size(); ++a) {
    out.sweep_shape.push_back(static_cast<std::size_t>(dims[a]));
    out.points *= out.sweep_shape.back();
  }

  // Grid dimensions: their coordinate at every point (the last axis fastest).
  const bool on_point = out.sweep_dims.size() == 1 && out.sweep_dims[0] == "point";
  if (!on_point) {
    std::size_t inner = out.points;
    for (std::size_t a = 0; a < out.sweep_dims.size(); ++a) {
      const std::string& name = out.sweep_dims[a];
      const auto axis = read_doubles(fid, name, {dims[a]});
      if (!axis) throw fail("dimension `" + name + "` has no coordinate values");
      inner /= out.sweep_shape[a];
      std::vector<double> values(out.points);
      for (std::size_t p = 0; p < out.points; ++p)
        values[p] = (*axis)[(p / inner) % out.sweep_shape[a]];
      out.coordinates.push_back(coordinate(fid, name, std::move(values)));
    }
  }
  // Swept keys that are not dimensions (lists, draws): ber's `coordinates` attribute.
  const std::vector<hsize_t> sweep_dims(dims.begin(), dims.end() - (lane_axis ? 1 : 0));
  std::istringstream auxiliary(string_attribute(ber.get(), "coordinates"));
  for (std::string name; auxiliary >> name;)
    if (auto values = read_doubles(fid, name, sweep_dims))
      out.coordinates.push_back(coordinate(fid, name, std::move(*values)));

  if (const auto draw = std::find(out.sweep_dims.begin(), out.sweep_dims.end(), "draw");
      draw != out.sweep_dims.end() && draw + 1 == out.sweep_dims.end())
    out.draws = out.sweep_shape.back();
  else if (on_point && scenario_draws(out.scenario_text, out.scenario_overrides) > 0)
    out.draws = out.points;

  std::vector<std::string> wanted = kReportVariables;
  for (const std::string& name : root_names(fid))
    if (is_energy_part(name)) {
      out.energy_parts.push_back(name);
      wanted.push_back(name);
    }
  for (const std::string& name : wanted)
    if (auto values = read_doubles(fid, name, dims)) out.reals.emplace(name, std::move(*values));
  if (!out.real("ber")) throw fail("`ber` is not a numeric dataset over its dimensions");
  const std::size_t count = out.points * out.lane_count();
  out.lock = read_flag(fid, "mrm_lock", dims, count);
  // What never ran has no BER, whatever the file's fill (0 and [0, 1]) says.
  if (const auto stop = read_flag(fid, "stop_reason", dims, count))
    for (std::size_t i = 0; i < count; ++i) {
      if (stop->meaning(stop->values[i]) != "not_run") continue;
      for (const char* name : {"ber", "ber_lo", "ber_hi", "fec_frame_loss_ratio"})
        if (auto it = out.reals.find(name); it != out.reals.end())
          it->second[i] = std::numeric_limits<double>::quiet_NaN();
    }
  // fec_frame_loss_ratio comes from the codewords counted: with none it says nothing.
  if (const auto codewords = read_doubles(fid, "fec_codewords", dims))
    if (auto it = out.reals.find("fec_frame_loss_ratio"); it != out.reals.end())
      for (std::size_t i = 0; i < count; ++i)
        if ((*codewords)[i] == 0.0) it->second[i] = std::numeric_limits<double>::quiet_NaN();
  return out;
}

}  // namespace ll::report
