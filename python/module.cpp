// lightlane._lightlane: the engine as a Python extension (nanobind). The package around it
// (python/lightlane/) turns what this returns into xarray Datasets; the module itself only runs
// the same code as the command line's `run` and `validate`, in this process:
//   run(...)      -> (the file's variables and attributes, or None when no point finished;
//                     stopped?) read from the in-memory file, or from `output` when given
//   read_file(path) -> the same from a file (python/netcdf_read.hpp)
//   validate(...) -> dict (the text `lightlane validate` prints, and its figures)
// The run goes on a thread of its own while the calling thread, the GIL released, waits on it:
// every 0.1 s it takes the GIL to look for Ctrl-C (PyErr_CheckSignals) and to hand the progress
// to the caller's callback. Ctrl-C asks the run to stop (RunControl): the points finished stay
// in the file (or the in-memory image), and run() says it stopped.
#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <mutex>
#include <optional>
#include <ostream>
#include <sstream>
#include <streambuf>
#include <string>
#include <thread>
#include <vector>

#include "build_info.hpp"
#include "host/io/hdf5_writer.hpp"
#include "host/io/output_path.hpp"
#include "host/run/backend.hpp"
#include "host/run/runner.hpp"
#include "host/scenario/scenario.hpp"
#include "python/netcdf_read.hpp"

namespace nb = nanobind;

namespace {

// Where the command line's summary table and live progress would go: nowhere (the caller has
// the Dataset, and tqdm for progress).
class NullBuffer : public std::streambuf {
 protected:
  int overflow(int c) override { return c == traits_type::eof() ? 0 : c; }
};

// The scenario from a path, or from TOML text (`path` then only names it in messages, and files
// it names are found from the working folder).
ll::Scenario scenario_from(const std::optional<std::string>& path,
                           const std::optional<std::string>& text,
                           const std::vector<std::string>& overrides) {
  if (text) return ll::parse_scenario(*text, path.value_or("<string>"), overrides);
  if (!path) throw ll::ScenarioError("lightlane.run: no scenario (a path, TOML text or a dict)");
  return ll::load_scenario(*path, overrides);
}

// lightlane._errors.ScenarioError(message, file, line, key): raised for bad input, as the
// command line exits with code 2.
[[noreturn]] void raise_scenario_error(const ll::ScenarioError& e) {
  nb::object cls = nb::module_::import_("lightlane._errors").attr("ScenarioError");
  nb::object err = cls(std::string(e.what()), e.where().file, e.where().line, e.key());
  PyErr_SetObject(cls.ptr(), err.ptr());
  throw nb::python_error();
}

template <class F>
auto translating(F&& f) {
  try {
    return f();
  } catch (const ll::ScenarioError& e) {
    raise_scenario_error(e);
  } catch (const ll::BackendError& e) {
    // A backend that cannot be had (--backend cuda without a GPU): bad input, as on the command
    // line; said without file or key.
    raise_scenario_error(ll::ScenarioError(e.what()));
  } catch (const ll::Hdf5FileError& e) {
    PyErr_SetString(PyExc_OSError, e.what());  // the file could not be written (a full disk)
    throw nb::python_error();
  }
}

nb::tuple run(std::optional<std::string> path, std::optional<std::string> text,
              std::vector<std::string> overrides, std::string backend, int threads,
              std::optional<std::string> output, bool overwrite, nb::object progress) {
  return translating([&]() -> nb::tuple {
    const ll::Scenario scenario = scenario_from(path, text, overrides);
    ll::RunOptions options;
    options.backend = backend;
    options.threads = threads;
    options.overwrite = overwrite;
    std::vector<std::uint8_t> image;
    ll::RunControl control;
    options.control = &control;
    if (output) {
      options.output_path = *output;
      ll::check_run_output(scenario, options);
    } else {
      options.memory_image = &image;
    }
    const ll::SweepPlan plan = ll::plan_sweep(scenario, threads);

    std::exception_ptr failure;
    std::mutex mutex;
    std::condition_variable finished_cv;
    bool finished = false;
    NullBuffer null_buffer;
    std::ostream null_stream(&null_buffer);
    std::thread worker([&] {
      try {
        ll::execute_run(plan, options, null_stream, null_stream);
      } catch (...) {
        failure = std::current_exception();
      }
      {
        const std::lock_guard<std::mutex> lock(mutex);
        finished = true;
      }
      finished_cv.notify_all();
    });
    bool interrupted = false;
    for (;;) {
      bool done = false;
      {
        nb::gil_scoped_release release;
        std::unique_lock<std::mutex> lock(mutex);
        done = finished_cv.wait_for(lock, std::chrono::milliseconds(100), [&] { return finished; });
      }
      if (PyErr_CheckSignals() != 0) {
        // Ctrl-C (or another signal's handler raising): stop the run, keep what is finished.
        PyErr_Clear();
        interrupted = true;
        control.stop = true;
      }
      if (!progress.is_none()) {
        try {
          progress(control.finished.load(), control.points.load(), control.bits.load());
        } catch (...) {
          control.stop = true;  // the callback failed: stop, then let its error through
          nb::gil_scoped_release release;
          worker.join();
          throw;
        }
      }
      if (done) break;
    }
    {
      nb::gil_scoped_release release;
      worker.join();
    }
    bool stopped = false;
    if (failure) {
      try {
        std::rethrow_exception(failure);
      } catch (const ll::RunStopped&) {
        stopped = true;
      }
    }
    stopped = stopped || interrupted;
    nb::object contents = nb::none();
    if (output) {
      if (std::filesystem::exists(*output)) contents = ll::python::read_netcdf_file(*output);
    } else if (!image.empty()) {
      contents = ll::python::read_netcdf_image(image);
    }
    return nb::make_tuple(contents, stopped);
  });
}

nb::dict validate(std::optional<std::string> path, std::optional<std::string> text,
                  std::vector<std::string> overrides, std::string backend, int threads) {
  return translating([&]() -> nb::dict {
    const ll::Scenario scenario = scenario_from(path, text, overrides);
    ll::ValidationEstimate estimate;
    std::ostringstream report;
    std::size_t points = 0, batches = 0;
    std::vector<std::string> warnings;
    {
      nb::gil_scoped_release release;  // the estimate runs the engine for a moment
      const ll::SweepPlan plan = ll::plan_sweep(scenario, threads);
      ll::print_validation(plan, backend, threads, report, &estimate);
      points = plan.points;
      batches = plan.batches.size();
      warnings = plan.warnings;
    }
    nb::dict d;
    d["text"] = report.str();
    d["points"] = points;
    d["batches"] = batches;
    d["max_bits"] = estimate.max_bits;
    d["warnings"] = warnings;
    d["estimated_seconds"] = estimate.seconds;
    d["symbols_per_s"] = estimate.symbols_per_s;
    d["seconds_per_eye"] = estimate.eye_seconds;
    d["engine_bytes"] = estimate.engine_bytes;
    return d;
  });
}

}  // namespace

NB_MODULE(_lightlane, m) {
  ll::hdf5_no_teardown_at_exit();  // as the command line (host/io/hdf5_writer.hpp says why)
  m.attr("__version__") = LIGHTLANE_VERSION;
  m.attr("git_revision") = LIGHTLANE_GIT_REVISION;
  m.def("run", &run, nb::arg("path").none(), nb::arg("text").none(), nb::arg("overrides"),
        nb::arg("backend"), nb::arg("threads"), nb::arg("output").none(), nb::arg("overwrite"),
        nb::arg("progress").none());
  m.def("validate", &validate, nb::arg("path").none(), nb::arg("text").none(),
        nb::arg("overrides"), nb::arg("backend"), nb::arg("threads"));
  m.def("read_file", [](const std::string& path) { return ll::python::read_netcdf_file(path); });
  m.def("cuda_probe", [] {
    const ll::CudaProbe p = ll::probe_cuda();
    return nb::make_tuple(p.compiled, p.usable, p.message);
  });
}
