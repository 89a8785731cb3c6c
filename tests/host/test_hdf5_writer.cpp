// Hdf5Writer: reopens what it wrote with the plain HDF5 C API and checks values, attributes and
// dimension scales, that a killed run keeps its finished points, and that errors name the file.
// WritesXarrayFile also leaves a file for tests/check_output.py (CMake test hdf5_xarray_check).
#include <gtest/gtest.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "host/io/hdf5_writer.hpp"

namespace {

using ll::Hdf5Writer;
using ll::OutputLayout;
using ll::PointResult;
using ll::StopReason;

constexpr std::size_t kAmplitudeBins = 4;
constexpr std::size_t kPhaseBins = 6;

// Owns an HDF5 id for the test's reads.
class Id {
 public:
  Id(hid_t id, herr_t (*closer)(hid_t)) : id_(id), closer_(closer) {}
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  ~Id() {
    if (id_ >= 0) closer_(id_);
  }
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*closer_)(hid_t);
};

// One file name per test and process, so parallel ctest runs of several build trees don't meet.
std::string temp_path(const std::string& stem) {
  return ::testing::TempDir() + "lightlane_" + stem + "_" + std::to_string(::getpid()) + ".h5";
}

OutputLayout make_layout(std::size_t points) {
  OutputLayout layout;
  layout.points = points;
  ll::SweptKey swing{"driver.swing_vpp", "V", {}};
  for (std::size_t i = 0; i < points; ++i) swing.values.push_back(0.5 + 0.25 * double(i));
  layout.swept.push_back(swing);
  for (std::size_t a = 0; a < kAmplitudeBins; ++a) {
    layout.eye_amplitude.push_back(-1.5 + (double(a) + 0.5) * 3.0 / kAmplitudeBins);
  }
  for (std::size_t p = 0; p < kPhaseBins; ++p) {
    layout.eye_phase_ui.push_back(-0.5 + (double(p) + 0.5) / kPhaseBins);
  }
  layout.scenario_text = "[run]\nmax_bits = 1e6  # µ-ring\n";
  layout.scenario_path = "scenarios/test.toml";
  layout.version = "0.1.0";
  layout.git_revision = "0123456789ab";
  layout.backend = "cpu";
  return layout;
}

PointResult make_result(std::size_t i) {
  PointResult r;
  r.bits = 1000 * (i + 1);
  r.bit_errors = 3 * i + 1;
  r.symbols = r.bits / 2;
  r.symbol_errors = r.bit_errors;
  r.ber = double(r.bit_errors) / double(r.bits);
  r.ber_lo = 0.5 * r.ber;
  r.ber_hi = 2.0 * r.ber;
  r.ser = double(r.symbol_errors) / double(r.symbols);
  r.stop_reason = i % 2 == 0 ? StopReason::target_errors : StopReason::bit_budget;
  for (std::size_t k = 0; k < kAmplitudeBins * kPhaseBins; ++k) {
    r.eye_histogram.push_back(std::uint32_t(100 * i + k));
  }
  r.eye_offset_a = 1e-4 * double(i + 1);
  r.eye_scale_a = 2e-5 * double(i + 1);
  r.mrm_fsr_nm = 10.0 + double(i);
  r.mrm_q_loaded = 5000.0 + double(i);
  r.mrm_extinction_ratio_db = 6.0 + double(i);
  return r;
}

std::vector<PointResult> make_results(std::size_t first, std::size_t count) {
  std::vector<PointResult> results;
  for (std::size_t i = first; i < first + count; ++i) results.push_back(make_result(i));
  return results;
}

template <class T>
std::vector<T> read_all(hid_t file, const char* name, hid_t memory_type) {
  Id dataset(H5Dopen2(file, name, H5P_DEFAULT), H5Dclose);
  EXPECT_TRUE(dataset.valid()) << name;
  if (!dataset.valid()) return {};
  Id space(H5Dget_space(dataset.get()), H5Sclose);
  std::vector<T> values(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get())));
  EXPECT_GE(H5Dread(dataset.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), 0)
      << name;
  return values;
}

std::vector<hsize_t> shape_of(hid_t file, const char* name) {
  Id dataset(H5Dopen2(file, name, H5P_DEFAULT), H5Dclose);
  Id space(H5Dget_space(dataset.get()), H5Sclose);
  std::vector<hsize_t> dims(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space.get())));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return dims;
}

// Reads a scalar string attribute, requiring variable-length UTF-8 (what h5py returns as str).
std::string read_string_attribute(hid_t object, const char* name) {
  Id attribute(H5Aopen(object, name, H5P_DEFAULT), H5Aclose);
  EXPECT_TRUE(attribute.valid()) << "attribute " << name;
  if (!attribute.valid()) return {};
  Id type(H5Aget_type(attribute.get()), H5Tclose);
  EXPECT_EQ(H5Tget_class(type.get()), H5T_STRING) << name;
  EXPECT_GT(H5Tis_variable_str(type.get()), 0) << name;
  EXPECT_EQ(H5Tget_cset(type.get()), H5T_CSET_UTF8) << name;
  char* text = nullptr;
  EXPECT_GE(H5Aread(attribute.get(), type.get(), &text), 0) << name;
  std::string value = text != nullptr ? text : "";
  H5free_memory(text);
  return value;
}

template <class T>
std::vector<T> read_numeric_attribute(hid_t object, const char* name, hid_t memory_type) {
  Id attribute(H5Aopen(object, name, H5P_DEFAULT), H5Aclose);
  EXPECT_TRUE(attribute.valid()) << "attribute " << name;
  if (!attribute.valid()) return {};
  Id space(H5Aget_space(attribute.get()), H5Sclose);
  std::vector<T> values(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get())));
  EXPECT_GE(H5Aread(attribute.get(), memory_type, values.data()), 0) << name;
  return values;
}

bool has_attribute(hid_t object, const char* name) { return H5Aexists(object, name) > 0; }

const std::vector<const char*> kCountNames{"bits", "bit_errors", "symbols", "symbol_errors"};
const std::vector<const char*> kRealNames{"ber",        "ber_lo",       "ber_hi",
                                          "ser",        "eye_offset_a", "eye_scale_a",
                                          "mrm_fsr_nm", "mrm_q_loaded", "mrm_extinction_ratio_db"};

// Every per-point variable, its expected units, and the PointResult field it stores.
// The per-point variables these tests check: the counts, the reals, stop_reason and the eye.
std::vector<const char*> per_point_names() {
  std::vector<const char*> names = kCountNames;
  names.insert(names.end(), kRealNames.begin(), kRealNames.end());
  names.push_back("stop_reason");
  names.push_back("eye_histogram");
  return names;
}

// A dimension: an HDF5 dimension scale named after its dataset, with units and a long name.
void expect_dimension_scale(const Id& scale) {
  ASSERT_TRUE(scale.valid());
  EXPECT_GT(H5DSis_scale(scale.get()), 0);
  char name[64] = {};
  H5DSget_scale_name(scale.get(), name, sizeof name);
  char object_name[64] = {};
  H5Iget_name(scale.get(), object_name, sizeof object_name);
  EXPECT_EQ(std::string("/") + name, object_name);
  EXPECT_FALSE(read_string_attribute(scale.get(), "units").empty()) << object_name;
  EXPECT_TRUE(has_attribute(scale.get(), "long_name")) << object_name;
}

double real_field(const PointResult& r, const std::string& name) {
  if (name == "ber") return r.ber;
  if (name == "ber_lo") return r.ber_lo;
  if (name == "ber_hi") return r.ber_hi;
  if (name == "ser") return r.ser;
  if (name == "eye_offset_a") return r.eye_offset_a;
  if (name == "eye_scale_a") return r.eye_scale_a;
  if (name == "mrm_fsr_nm") return r.mrm_fsr_nm;
  if (name == "mrm_q_loaded") return r.mrm_q_loaded;
  return r.mrm_extinction_ratio_db;
}
std::uint64_t count_field(const PointResult& r, const std::string& name) {
  if (name == "bits") return r.bits;
  if (name == "bit_errors") return r.bit_errors;
  if (name == "symbols") return r.symbols;
  return r.symbol_errors;
}

// Checks the points [0, expected.size()) against `expected` and the rest of the `points` against
// the fill values.
void expect_points(hid_t file, std::size_t points, const std::vector<PointResult>& expected) {
  const std::size_t written = expected.size();
  for (const char* name : kCountNames) {
    const auto values = read_all<std::uint64_t>(file, name, H5T_NATIVE_UINT64);
    ASSERT_EQ(values.size(), points) << name;
    for (std::size_t i = 0; i < points; ++i) {
      const std::uint64_t want = i < written ? count_field(expected[i], name) : 0;
      EXPECT_EQ(values[i], want) << name << " point " << i;
    }
  }
  for (const char* name : kRealNames) {
    const auto values = read_all<double>(file, name, H5T_NATIVE_DOUBLE);
    ASSERT_EQ(values.size(), points) << name;
    for (std::size_t i = 0; i < points; ++i) {
      if (i < written) {
        EXPECT_EQ(values[i], real_field(expected[i], name)) << name << " point " << i;
      } else {
        EXPECT_TRUE(std::isnan(values[i])) << name << " point " << i << " should be fill";
      }
    }
  }
  const auto stop = read_all<std::uint8_t>(file, "stop_reason", H5T_NATIVE_UINT8);
  ASSERT_EQ(stop.size(), points);
  for (std::size_t i = 0; i < points; ++i) {
    const auto want = i < written ? expected[i].stop_reason : StopReason::not_run;
    EXPECT_EQ(stop[i], static_cast<std::uint8_t>(want)) << "stop_reason point " << i;
  }
  const auto eye = read_all<std::uint32_t>(file, "eye_histogram", H5T_NATIVE_UINT32);
  const std::size_t bins = kAmplitudeBins * kPhaseBins;
  ASSERT_EQ(eye.size(), points * bins);
  for (std::size_t i = 0; i < points; ++i) {
    for (std::size_t k = 0; k < bins; ++k) {
      EXPECT_EQ(eye[i * bins + k], i < written ? expected[i].eye_histogram[k] : 0u)
          << "eye_histogram point " << i << " bin " << k;
    }
  }
}

// The points [0, written) as make_result made them, the rest fill values.
void expect_points(hid_t file, std::size_t points, std::size_t written) {
  expect_points(file, points, make_results(0, written));
}

TEST(Hdf5Writer, WritesValuesAttributesAndDimensionScales) {
  const std::string path = temp_path("writer_values");
  const OutputLayout layout = make_layout(3);
  {
    Hdf5Writer writer(path, layout);
    writer.write_points(0, make_results(0, 2));
    writer.write_points(2, make_results(2, 1));
    writer.close();
    writer.close();  // a second close does nothing
  }

  Id file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  ASSERT_TRUE(file.valid());
  const hid_t fid = file.get();
  expect_points(fid, 3, 3);

  // Root attributes.
  EXPECT_EQ(read_string_attribute(fid, "Conventions"), "CF-1.8");
  EXPECT_EQ(read_string_attribute(fid, "title"), "lightlane simulation results");
  EXPECT_EQ(read_string_attribute(fid, "scenario"), layout.scenario_text);
  EXPECT_EQ(read_string_attribute(fid, "scenario_path"), layout.scenario_path);
  EXPECT_EQ(read_string_attribute(fid, "lightlane_version"), layout.version);
  EXPECT_EQ(read_string_attribute(fid, "git_revision"), layout.git_revision);
  EXPECT_EQ(read_string_attribute(fid, "backend"), layout.backend);

  // netCDF-4 needs link and attribute creation order tracked on the root group.
  {
    // The file creation plist does not report it back (HDF5 1.10); the root group's does.
    Id root(H5Gopen2(fid, "/", H5P_DEFAULT), H5Gclose);
    Id gcpl(H5Gget_create_plist(root.get()), H5Pclose);
    unsigned link_order = 0, attribute_order = 0;
    H5Pget_link_creation_order(gcpl.get(), &link_order);
    H5Pget_attr_creation_order(gcpl.get(), &attribute_order);
    EXPECT_EQ(link_order, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
    EXPECT_EQ(attribute_order, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
  }

  // Dimensions: scales named after themselves, holding the layout's values.
  Id point(H5Dopen2(fid, "point", H5P_DEFAULT), H5Dclose);
  Id amplitude(H5Dopen2(fid, "eye_amplitude", H5P_DEFAULT), H5Dclose);
  Id phase(H5Dopen2(fid, "eye_phase_ui", H5P_DEFAULT), H5Dclose);
  for (const Id* scale : {&point, &amplitude, &phase}) expect_dimension_scale(*scale);
  EXPECT_EQ(read_all<std::uint64_t>(fid, "point", H5T_NATIVE_UINT64),
            (std::vector<std::uint64_t>{0, 1, 2}));
  EXPECT_EQ(read_all<double>(fid, "eye_amplitude", H5T_NATIVE_DOUBLE), layout.eye_amplitude);
  EXPECT_EQ(read_all<double>(fid, "eye_phase_ui", H5T_NATIVE_DOUBLE), layout.eye_phase_ui);
  EXPECT_EQ(read_string_attribute(point.get(), "long_name"), "sweep point index");
  EXPECT_EQ(read_string_attribute(phase.get(), "units"), "UI");

  // The swept key: dots become underscores, long_name keeps the key.
  {
    Id swing(H5Dopen2(fid, "driver_swing_vpp", H5P_DEFAULT), H5Dclose);
    ASSERT_TRUE(swing.valid());
    EXPECT_EQ(read_all<double>(fid, "driver_swing_vpp", H5T_NATIVE_DOUBLE), layout.swept[0].values);
    EXPECT_EQ(read_string_attribute(swing.get(), "units"), "V");
    EXPECT_EQ(read_string_attribute(swing.get(), "long_name"), "driver.swing_vpp");
    EXPECT_GT(H5DSis_attached(swing.get(), point.get(), 0), 0);
  }

  // Every per-point variable: units, long_name, _FillValue, coordinates, scale on `point`.
  for (const char* name : per_point_names()) {
    Id dataset(H5Dopen2(fid, name, H5P_DEFAULT), H5Dclose);
    ASSERT_TRUE(dataset.valid()) << name;
    EXPECT_FALSE(read_string_attribute(dataset.get(), "units").empty()) << name;
    EXPECT_FALSE(read_string_attribute(dataset.get(), "long_name").empty()) << name;
    EXPECT_EQ(read_string_attribute(dataset.get(), "coordinates"), "driver_swing_vpp") << name;
    // _FillValue on floating variables only: on counts xarray would mask genuine zeros.
    Id type(H5Dget_type(dataset.get()), H5Tclose);
    EXPECT_EQ(has_attribute(dataset.get(), "_FillValue"), H5Tget_class(type.get()) == H5T_FLOAT)
        << name;
    EXPECT_GT(H5DSis_attached(dataset.get(), point.get(), 0), 0) << name;
  }
  {
    Id ber(H5Dopen2(fid, "ber", H5P_DEFAULT), H5Dclose);
    EXPECT_EQ(read_string_attribute(ber.get(), "long_name"), "bit error ratio");
    const auto fill = read_numeric_attribute<double>(ber.get(), "_FillValue", H5T_NATIVE_DOUBLE);
    ASSERT_EQ(fill.size(), 1u);
    EXPECT_TRUE(std::isnan(fill[0]));
    Id bits(H5Dopen2(fid, "bits", H5P_DEFAULT), H5Dclose);
    Id type(H5Dget_type(bits.get()), H5Tclose);
    EXPECT_GT(H5Tequal(type.get(), H5T_STD_U64LE), 0);
    Id fsr(H5Dopen2(fid, "mrm_fsr_nm", H5P_DEFAULT), H5Dclose);
    EXPECT_EQ(read_string_attribute(fsr.get(), "units"), "nm");
    Id er(H5Dopen2(fid, "mrm_extinction_ratio_db", H5P_DEFAULT), H5Dclose);
    EXPECT_EQ(read_string_attribute(er.get(), "units"), "dB");
    Id offset(H5Dopen2(fid, "eye_offset_a", H5P_DEFAULT), H5Dclose);
    EXPECT_EQ(read_string_attribute(offset.get(), "units"), "A");
  }
  {
    Id stop(H5Dopen2(fid, "stop_reason", H5P_DEFAULT), H5Dclose);
    Id type(H5Dget_type(stop.get()), H5Tclose);
    EXPECT_GT(H5Tequal(type.get(), H5T_STD_U8LE), 0);
    EXPECT_EQ(read_numeric_attribute<std::uint8_t>(stop.get(), "flag_values", H5T_NATIVE_UINT8),
              (std::vector<std::uint8_t>{0, 1, 2, 3}));
    EXPECT_EQ(read_string_attribute(stop.get(), "flag_meanings"), ll::kStopReasonMeanings);
  }
  {
    EXPECT_EQ(shape_of(fid, "eye_histogram"), (std::vector<hsize_t>{3, 4, 6}));
    Id eye(H5Dopen2(fid, "eye_histogram", H5P_DEFAULT), H5Dclose);
    EXPECT_GT(H5DSis_attached(eye.get(), amplitude.get(), 1), 0);
    EXPECT_GT(H5DSis_attached(eye.get(), phase.get(), 2), 0);
    Id dcpl(H5Dget_create_plist(eye.get()), H5Pclose);
    ASSERT_EQ(H5Pget_layout(dcpl.get()), H5D_CHUNKED);
    hsize_t chunk[3] = {};
    ASSERT_EQ(H5Pget_chunk(dcpl.get(), 3, chunk), 3);
    EXPECT_EQ(chunk[0], 1u);
    EXPECT_EQ(chunk[1], kAmplitudeBins);
    EXPECT_EQ(chunk[2], kPhaseBins);
    unsigned flags = 0, level[1] = {};
    std::size_t level_count = 1;
    ASSERT_GE(H5Pget_filter_by_id2(dcpl.get(), H5Z_FILTER_DEFLATE, &flags, &level_count, level, 0,
                                   nullptr, nullptr),
              0);
    EXPECT_EQ(level[0], 4u);
  }
  std::remove(path.c_str());  // kept when an ASSERT above stops the test, for a look
}

// A run killed after its first batch: the child process writes two of three points and dies
// without closing (std::_Exit skips destructors and HDF5's atexit cleanup), as SIGKILL would.
TEST(Hdf5WriterDeathTest, KilledRunKeepsFinishedPointsAndFillsTheRest) {
  const std::string path = temp_path("writer_killed");
  const OutputLayout layout = make_layout(3);
  EXPECT_EXIT(
      {
        Hdf5Writer writer(path, layout);
        writer.write_points(0, make_results(0, 2));
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(0), "");

  Id file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  ASSERT_TRUE(file.valid()) << "the killed run's file does not open";
  expect_points(file.get(), 3, 2);
  std::remove(path.c_str());
}

TEST(Hdf5Writer, BadPathThrowsNamingThePath) {
  const std::string path = ::testing::TempDir() + "lightlane_no_such_directory_" +
                           std::to_string(::getpid()) + "/out.h5";
  try {
    Hdf5Writer writer(path, make_layout(3));
    FAIL() << "no exception for " << path;
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    std::printf("message: %s\n", e.what());
  }
}

TEST(Hdf5Writer, RejectsInconsistentInput) {
  const std::string path = temp_path("writer_reject");
  OutputLayout layout = make_layout(3);
  layout.swept[0].values.pop_back();
  EXPECT_THROW(Hdf5Writer rejected(path, layout), std::invalid_argument);

  layout = make_layout(3);
  layout.swept.push_back({"driver_swing.vpp", "V", {1.0, 2.0, 3.0}});  // same dataset name
  EXPECT_THROW(Hdf5Writer rejected(path, layout), std::invalid_argument);

  Hdf5Writer writer(path, make_layout(3));
  EXPECT_THROW(writer.write_points(2, make_results(0, 2)), std::out_of_range);
  EXPECT_THROW(writer.write_points(4, {}), std::out_of_range);
  std::vector<PointResult> bad_eye = make_results(0, 1);
  bad_eye[0].eye_histogram.pop_back();
  EXPECT_THROW(writer.write_points(0, bad_eye), std::invalid_argument);
  writer.write_points(3, {});  // an empty batch at the end is fine
  writer.close();
  EXPECT_THROW(writer.write_points(0, make_results(0, 1)), std::runtime_error);
  std::remove(path.c_str());
}

TEST(Hdf5Writer, SinglePointWithoutSweptKeysOrEye) {
  const std::string path = temp_path("writer_single");
  OutputLayout layout = make_layout(1);
  layout.swept.clear();
  layout.eye_amplitude.clear();
  layout.eye_phase_ui.clear();
  PointResult result = make_result(0);
  result.eye_histogram.clear();
  {
    Hdf5Writer writer(path, layout);
    writer.write_points(0, {result});
  }
  Id file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  ASSERT_TRUE(file.valid());
  EXPECT_EQ(read_all<std::uint64_t>(file.get(), "bits", H5T_NATIVE_UINT64),
            (std::vector<std::uint64_t>{result.bits}));
  EXPECT_EQ(shape_of(file.get(), "eye_histogram"), (std::vector<hsize_t>{1, 0, 0}));
  Id ber(H5Dopen2(file.get(), "ber", H5P_DEFAULT), H5Dclose);
  EXPECT_FALSE(has_attribute(ber.get(), "coordinates"));
  std::remove(path.c_str());
}

// Points without an eye (the statistical mode, points not simulated) carry an empty histogram:
// they read as zeros, whether a run of them is left unwritten or one sits among points with eyes.
TEST(Hdf5Writer, PointsWithoutAnEyeReadZeros) {
  const std::string path = temp_path("writer_no_eye");
  std::vector<PointResult> results = make_results(0, 4);
  results[1].eye_histogram.clear();
  results[2].eye_histogram.clear();
  results[3].eye_histogram.clear();
  {
    Hdf5Writer writer(path, make_layout(4));
    writer.write_points(0, {results[0], results[1]});  // one with an eye, one without
    writer.write_points(2, {results[2], results[3]});  // none: not written at all
  }
  Id file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  ASSERT_TRUE(file.valid());
  const std::vector<std::uint32_t> eyes =
      read_all<std::uint32_t>(file.get(), "eye_histogram", H5T_NATIVE_UINT32);
  const std::size_t bins = kAmplitudeBins * kPhaseBins;
  ASSERT_EQ(eyes.size(), 4 * bins);
  for (std::size_t k = 0; k < bins; ++k) {
    EXPECT_EQ(eyes[k], results[0].eye_histogram[k]) << k;
    for (std::size_t p = 1; p < 4; ++p) EXPECT_EQ(eyes[p * bins + k], 0u) << p << " " << k;
  }
  EXPECT_EQ(read_all<std::uint64_t>(file.get(), "bits", H5T_NATIVE_UINT64),
            (std::vector<std::uint64_t>{results[0].bits, results[1].bits, results[2].bits,
                                        results[3].bits}));
  std::remove(path.c_str());
}

// Leaves a file for tests/check_output.py: two swept keys, four points of which the last is
// never written (the shape of an interrupted run), and one point with no bit errors. The test
// reads the file back itself first, so that what the Python check then opens is known to hold
// the points written, the fill values of the point never written, both swept keys as
// coordinates on `point`, the eye's dimension scales, and units on every variable.
TEST(Hdf5Writer, WritesXarrayFile) {
  // CTest's hdf5_write_xarray_file names the file; run plainly, the test cleans up after itself.
  const char* from_environment = std::getenv("LIGHTLANE_WRITER_CHECK_FILE");
  const bool keep = from_environment != nullptr && from_environment[0] != '\0';
  const std::string path = keep ? std::string(from_environment) : temp_path("writer_check");
  OutputLayout layout = make_layout(4);
  layout.swept.push_back({"laser.power_dbm", "dBm", {0.0, 1.0, 2.0, 3.0}});
  std::vector<PointResult> results = make_results(0, 3);
  results[1].bit_errors = 0;
  results[1].ber = 0.0;
  results[1].ber_lo = 0.0;
  {
    Hdf5Writer writer(path, layout);
    writer.write_points(0, {results[0]});
    writer.write_points(1, {results[1], results[2]});
    writer.close();
  }

  {
    Id file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    ASSERT_TRUE(file.valid()) << path;
    const hid_t fid = file.get();
    // Values: the three points written (the error-free one with its zeros, not fill values),
    // the fourth at the fill values of a point never run.
    expect_points(fid, 4, results);
    EXPECT_EQ(shape_of(fid, "eye_histogram"),
              (std::vector<hsize_t>{4, kAmplitudeBins, kPhaseBins}));
    EXPECT_EQ(read_string_attribute(fid, "scenario"), layout.scenario_text);

    // The three dimensions xarray names (point, eye_amplitude, eye_phase_ui): scales named
    // after themselves, holding the layout's values, with units.
    Id point(H5Dopen2(fid, "point", H5P_DEFAULT), H5Dclose);
    Id amplitude(H5Dopen2(fid, "eye_amplitude", H5P_DEFAULT), H5Dclose);
    Id phase(H5Dopen2(fid, "eye_phase_ui", H5P_DEFAULT), H5Dclose);
    for (const Id* scale : {&point, &amplitude, &phase}) expect_dimension_scale(*scale);
    EXPECT_EQ(read_all<std::uint64_t>(fid, "point", H5T_NATIVE_UINT64),
              (std::vector<std::uint64_t>{0, 1, 2, 3}));
    EXPECT_EQ(read_all<double>(fid, "eye_amplitude", H5T_NATIVE_DOUBLE), layout.eye_amplitude);
    EXPECT_EQ(read_all<double>(fid, "eye_phase_ui", H5T_NATIVE_DOUBLE), layout.eye_phase_ui);
    EXPECT_EQ(read_string_attribute(phase.get(), "units"), "UI");

    // Both swept keys: one coordinate dataset each on `point`, named with underscores, the key
    // as long_name, its values for every point (the unwritten one too) and its unit.
    for (const ll::SweptKey& key : layout.swept) {
      std::string name = key.key;
      for (char& c : name)
        if (c == '.') c = '_';
      Id coordinate(H5Dopen2(fid, name.c_str(), H5P_DEFAULT), H5Dclose);
      ASSERT_TRUE(coordinate.valid()) << name;
      EXPECT_EQ(shape_of(fid, name.c_str()), (std::vector<hsize_t>{4})) << name;
      EXPECT_EQ(read_all<double>(fid, name.c_str(), H5T_NATIVE_DOUBLE), key.values) << name;
      EXPECT_EQ(read_string_attribute(coordinate.get(), "units"), key.units) << name;
      EXPECT_EQ(read_string_attribute(coordinate.get(), "long_name"), key.key) << name;
      EXPECT_GT(H5DSis_attached(coordinate.get(), point.get(), 0), 0) << name;
    }

    // Every per-point variable: its unit, both coordinates, and `point` as its first dimension;
    // the eye histogram also has its amplitude and phase scales on dimensions 1 and 2.
    for (const char* name : per_point_names()) {
      Id dataset(H5Dopen2(fid, name, H5P_DEFAULT), H5Dclose);
      ASSERT_TRUE(dataset.valid()) << name;
      EXPECT_FALSE(read_string_attribute(dataset.get(), "units").empty()) << name;
      EXPECT_EQ(read_string_attribute(dataset.get(), "coordinates"),
                "driver_swing_vpp laser_power_dbm")
          << name;
      EXPECT_EQ(shape_of(fid, name).front(), 4u) << name;
      EXPECT_GT(H5DSis_attached(dataset.get(), point.get(), 0), 0) << name;
    }
    Id eye(H5Dopen2(fid, "eye_histogram", H5P_DEFAULT), H5Dclose);
    EXPECT_GT(H5DSis_attached(eye.get(), amplitude.get(), 1), 0);
    EXPECT_GT(H5DSis_attached(eye.get(), phase.get(), 2), 0);
    Id ber(H5Dopen2(fid, "ber", H5P_DEFAULT), H5Dclose);
    EXPECT_EQ(read_string_attribute(ber.get(), "units"), "1");
    Id bits(H5Dopen2(fid, "bits", H5P_DEFAULT), H5Dclose);
    EXPECT_EQ(read_string_attribute(bits.get(), "units"), "1");
  }
  if (keep) {
    std::printf("wrote %s\n", path.c_str());
  } else {
    std::remove(path.c_str());
  }
}

}  // namespace
