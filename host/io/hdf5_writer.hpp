// HDF5 output of a sweep, laid out as a netCDF-4 / CF-1.8 file so that xarray (h5netcdf or
// netCDF4 engine) shows named dimensions: a grid sweep's keys (one dimension each, named with
// `_` for `.`, their values the coordinate), or `point` with the swept keys as coordinates on it
// (lists, random draws, no sweep); then `lane`, `eye_amplitude`, `eye_phase_ui` and the rest. The
// layout is a contract with users' plotting scripts: change it only together with
// tests/check_output.py and the documentation.
//
// The file is created whole up front with every per-point dataset at its final size and filled
// with fill values (0 for counts, NaN for ratios, stop_reason = not_run); each write_points()
// overwrites a slab of points and flushes, so a run killed between two calls leaves a readable
// file holding every point finished so far, and `lightlane run --resume` finishes it.
//
// Serial HDF5 is not thread-safe: call a writer from one thread at a time, and not concurrently
// with any other HDF5 use in the process.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "host/io/results.hpp"

namespace ll {

// HDF5 could not do what the file needed (a full disk, a file removed under the run, a file that
// is not HDF5): the message names the path and carries HDF5's own reason. Not bad input (the
// path was checked before the run) and not a fault of the program: exit code 1, said as it is.
class Hdf5FileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Hdf5Writer {
 public:
  // Creates (truncates) `path`, writes root attributes, dimension-scale datasets and empty
  // per-point datasets sized layout.points (fill values), and flushes. Throws
  // std::runtime_error naming the path when HDF5 fails, std::invalid_argument when the layout
  // is inconsistent (swept values not one per point, two keys mapping to one dataset name).
  //
  // Mode::resume opens an existing file of a killed run instead (read-write, nothing
  // truncated): it must have been written for the same scenario text and overrides and the same
  // layout, else std::invalid_argument says what differs.
  //
  // Mode::memory makes the same file in memory (HDF5's core driver without a backing store:
  // `path` only names it in messages, nothing touches the disk); close() hands its bytes, the
  // image a file of Mode::create would hold, to `*image` (the Python module opens it).
  enum class Mode { create, resume, memory };
  Hdf5Writer(const std::string& path, const OutputLayout& layout, Mode mode = Mode::create,
             std::vector<std::uint8_t>* image = nullptr);

  // Per point (file order): whether it was written whole (every lane's stop_reason set; a
  // point's stop_reason is written and flushed after all its other data).
  std::vector<bool> finished_points() const;
  ~Hdf5Writer();  // closes; never throws (call close() to see errors)
  Hdf5Writer(const Hdf5Writer&) = delete;
  Hdf5Writer& operator=(const Hdf5Writer&) = delete;

  // Writes points [first_point, first_point + n) into every per-point dataset (hyperslab
  // writes), where n is results.size() for a single lane or results.size() / lanes for a WDM bus
  // (point-major, one result per lane), and flushes the file. Throws std::out_of_range when the
  // range passes layout.points, std::invalid_argument when an eye histogram has the wrong size
  // (an empty one: no eye collected, zeros in the file),
  // std::runtime_error naming the path when HDF5 fails.
  void write_points(std::size_t first_point, const std::vector<PointResult>& results);

  // Flushes and closes the file; later calls do nothing. Throws std::runtime_error on failure.
  void close();

  const std::string& path() const { return path_; }

 private:
  void open_for_resume(const OutputLayout& layout);
  // A per-point dataset, opened once and kept open until close() (a write touches ~50 of them
  // per point: opening each by name every time was a third of the writing).
  std::int64_t open_dataset(const char* name);
  std::map<std::string, std::int64_t> datasets_;

  std::string path_;
  std::vector<std::uint8_t>* image_ = nullptr;  // Mode::memory: where close() puts the bytes
  // The HDF5 file id (hid_t, which is int64_t since HDF5 1.10), kept as its underlying type so
  // that including this header does not pull in hdf5.h.
  std::int64_t file_id_ = -1;
  std::size_t points_ = 0;
  // The points' dimensions: the grid's axes, or {points} (`point`).
  std::vector<std::size_t> sweep_shape_;
  std::size_t lanes_ = 0;  // WDM lanes per point (0: no `lane` dimension)
  std::size_t eye_amplitude_bins_ = 0;
  std::size_t eye_phase_bins_ = 0;
  std::size_t bathtub_bins_ = 0;
  std::size_t contours_ = 0, eye_edges_ = 0;
};

// For a program about to use HDF5: no library teardown at exit. After a write that failed (a full
// disk) HDF5 keeps the file open, and its exit handler then crashes closing it (seen: SIGSEGV in
// H5F__close_cb); every file is closed, or given up, by its writer, so the handler has nothing
// to do. Call before any other HDF5 use.
void hdf5_no_teardown_at_exit();

// `lightlane merge`: the N shard files of one run (`lightlane run --shard k/N`, any order) into
// one file of the run's layout whose per-point datasets are HDF5 virtual datasets reading each
// point from the shard that ran it (nothing copied; the shard files must stay where they are,
// found relative to the merged file's folder); coordinates and dimension scales are copied.
// Throws std::invalid_argument when the files are not all the shards of one run,
// std::runtime_error naming the path when HDF5 fails.
void merge_shards(const std::string& out_path, const std::vector<std::string>& shard_paths);

}  // namespace ll
