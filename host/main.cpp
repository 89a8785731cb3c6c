// lightlane: command line. `run`, `validate`, `merge`, `report`, `fabric`, `com`, `info`; `--set
// key=value` on `run` and `validate`. Bad input (a scenario, an override, a Touchstone file, an
// output path, an option, a file `report` cannot read, a fabric description) exits with code 2 and
// one line naming the file, line and key, before anything is written; exit code 1 is an internal
// fault.
#include <omp.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "build_info.hpp"
#include "host/fabric/report.hpp"
#include "host/io/hdf5_writer.hpp"
#include "host/io/output_path.hpp"
#include "host/link/com_report.hpp"
#include "host/report/report_file.hpp"
#include "host/report/report_markdown.hpp"
#include "host/run/backend.hpp"
#include "host/run/runner.hpp"
#include "host/scenario/scenario.hpp"

namespace {

constexpr int kExitBadInput = 2;
constexpr int kExitInternal = 1;
constexpr int kExitFile = 1;  // the output could not be written (a full disk): not a bug

int info_command() {
  std::cout << "lightlane " << LIGHTLANE_VERSION << " (git " << LIGHTLANE_GIT_REVISION << ")\n";
  std::cout << "cpu backend: OpenMP, " << omp_get_max_threads() << " threads, FFTW\n";
  const ll::CudaProbe probe = ll::probe_cuda();
  std::cout << "cuda backend: " << (probe.compiled ? "built" : "not built") << "; "
            << (probe.usable ? "device " : "") << probe.message << "\n";
  return 0;
}

// Every message is one line: a Slurm log or a script's `2>err` reads one error per line, whatever
// a library put in its text (toml++'s syntax messages, HDF5's) .
std::string one_line(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  std::replace(text.begin(), text.end(), '\r', ' ');
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

int report(const std::string& message, int code, bool internal = false) {
  std::cerr << "lightlane: " << (internal ? "internal error: " : "error: ") << one_line(message)
            << "\n";
  return code;
}

// `lightlane fabric FABRIC.toml [--csv OUT.csv]`: the roll-up table to stdout and, when asked, the
// same table as CSV (the only file written; checked like a run's output before it is written).
int fabric_command(const std::string& fabric_path, const std::string& csv_path, bool overwrite) {
  const ll::fabric::FabricSpec spec = ll::fabric::load_fabric(fabric_path);
  const std::vector<ll::fabric::DesignRollup> rollups = ll::fabric::roll_up(spec);
  const ll::fabric::Table table = ll::fabric::fabric_table(spec, rollups);
  if (!csv_path.empty()) {
    ll::check_output_path(csv_path, spec.inputs, ll::existing_output(false, overwrite), "--csv",
                          /*resumable=*/false);
    std::ofstream csv(csv_path, std::ios::binary | std::ios::trunc);
    ll::fabric::write_csv(table, csv);
    csv.close();
    if (!csv) return report(csv_path + ": --csv: cannot write the file", kExitFile);
  }
  ll::fabric::write_markdown(table, std::cout);
  return 0;
}

// `lightlane com THRU [--fext F]... [--next N]... --standard SET [--port-order ORDER]
// [--search exhaustive|local]`: a host channel's COM with the set's reference receiver
// (host/link/com_standard.hpp), to stdout.
int com_command(const std::string& standard, const std::string& search, const ll::ComFiles& files) {
  ll::ComSet set;
  try {
    set = ll::com_set(standard);
  } catch (const std::invalid_argument& e) {
    return report(std::string("--standard: ") + e.what(), kExitBadInput);
  }
  if (search == "exhaustive") set.search = ll::ComSet::Search::exhaustive;
  if (search == "local") set.search = ll::ComSet::Search::local;
  std::vector<std::string> warnings;
  const std::vector<ll::ComChannel> channels =
      ll::load_com_channels(files, set, "lightlane com", warnings);
  ll::write_com_report(set, files, ll::standard_com(set, channels), warnings, std::cout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  ll::hdf5_no_teardown_at_exit();
  CLI::App app{"lightlane: optical link physics simulator (micro-ring modulators, PAM4, BER)"};
  app.set_version_flag("--version", std::string("lightlane ") + LIGHTLANE_VERSION + " (git " +
                                        LIGHTLANE_GIT_REVISION + ")");
  app.require_subcommand(1);
  std::vector<std::string> overrides;
  std::string scenario_path, output_path, backend = "auto";
  int threads = 0;
  bool resume = false, overwrite = false;

  CLI::App* run = app.add_subcommand("run", "simulate a scenario and write HDF5");
  run->add_option("scenario", scenario_path, "scenario TOML file")->required();
  run->add_option("-o,--output", output_path, "output HDF5 file")->required();
  run->add_option("--backend", backend, "auto | cpu | cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  run->add_option("--threads", threads, "CPU threads (default: OpenMP's)")
      ->check(CLI::NonNegativeNumber);
  run->add_option("--set", overrides, "override a scenario key: key=value (repeatable)");
  CLI::Option* run_resume =
      run->add_flag("--resume", resume,
                    "continue a killed run: keep the output file's finished points, run the rest");
  run->add_flag("--overwrite", overwrite, "replace an existing output file (else it is refused)")
      ->excludes(run_resume);
  std::string devices = "all";
  run->add_option("--devices", devices,
                  "GPUs for --backend cuda: all (default) or a list such as 0,1; two workers on "
                  "each");
  std::string shard;
  run->add_option("--shard", shard,
                  "k/N: run the points p with p mod N = k into OUTPUT.shard-k-of-N.h5 (default: "
                  "from a Slurm job array or an MPI launch, else the whole run)");

  CLI::App* validate = app.add_subcommand("validate", "parse and check a scenario, print sizes");
  validate->add_option("scenario", scenario_path, "scenario TOML file")->required();
  validate->add_option("--set", overrides, "override a scenario key: key=value (repeatable)");
  validate->add_option("--backend", backend, "auto | cpu | cuda: the backend to estimate for")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  validate->add_option("--threads", threads, "CPU threads (default: OpenMP's)")
      ->check(CLI::NonNegativeNumber);
  validate->add_option("-o,--output", output_path,
                       "check this output file as `run` would (with --overwrite or --resume)");
  CLI::Option* validate_resume = validate->add_flag("--resume", resume, "as for run");
  validate->add_flag("--overwrite", overwrite, "as for run")->excludes(validate_resume);

  std::string merged_path;
  std::vector<std::string> shard_paths;
  CLI::App* merge = app.add_subcommand(
      "merge", "join a run's shard files (run --shard k/N) into one file of virtual datasets");
  merge->add_option("output", merged_path, "merged HDF5 file")->required();
  merge->add_option("shards", shard_paths, "every shard file of the run")->required();
  merge->add_flag("--overwrite", overwrite, "replace an existing merged file");

  std::string fabric_path, csv_path;
  CLI::App* fabric = app.add_subcommand(
      "fabric",
      "roll up a fabric's optics per port design: transceivers, engines, lasers, watts and part "
      "failures per day (a markdown table; --csv writes it as CSV too)");
  fabric->add_option("fabric", fabric_path, "fabric TOML file")->required();
  fabric->add_option("--csv", csv_path, "also write the table as CSV to this file");
  fabric->add_flag("--overwrite", overwrite, "replace an existing CSV file (else it is refused)");
  std::string report_path;
  std::size_t report_worst = 0;
  std::vector<int> bank_rings;
  CLI::App* report_command =
      app.add_subcommand("report", "the port report of a run's output file, as markdown on stdout");
  report_command->add_option("file", report_path, "the run's HDF5 output file")->required();
  report_command
      ->add_option("--worst", report_worst, "only the N points of smallest margin_db, worst first")
      ->check(CLI::Range(1, 100000000));
  report_command
      ->add_option("--bank-rings", bank_rings,
                   "ring-bank yield for N independent rings (repeatable; default 8 and 16)")
      ->check(CLI::Range(1, 4096));

  ll::ComFiles com_files;
  std::string com_standard, com_port_order = "in12_out34", com_search;
  CLI::App* com = app.add_subcommand(
      "com",
      "a host channel's COM (IEEE 802.3 annex 93A / 178A) from its Touchstone files, as "
      "markdown");
  com->add_option("thru", com_files.thru, "the thru channel (.s4p or .s2p)")->required();
  com->add_option("--fext", com_files.fext, "a far-end crosstalk aggressor (repeatable)");
  com->add_option("--next", com_files.next, "a near-end crosstalk aggressor (repeatable)");
  std::string set_names;
  for (const std::string& n : ll::com_set_names()) set_names += (set_names.empty() ? "" : ", ") + n;
  com->add_option("--standard", com_standard, "the COM parameter set: " + set_names)->required();
  com->add_option("--search", com_search,
                  "the transmit FFE search: the set's own (the 802.3by and 802.3ck sets "
                  "exhaustive, the 802.3dj sets local) unless given")
      ->check(CLI::IsMember({"exhaustive", "local"}));
  com->add_option("--port-order", com_port_order,
                  "which ports pair up: in12_out34 (1,2 in; 3,4 out; the default) or in13_out24")
      ->check(CLI::IsMember({"in12_out34", "in13_out24"}));

  app.add_subcommand("info", "build, backends and devices");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return report(std::string(e.what()) + " (see lightlane --help)", kExitBadInput);
  }

  try {
    if (app.got_subcommand("info")) return info_command();
    if (app.got_subcommand("com")) {
      com_files.order =
          com_port_order == "in13_out24" ? ll::PortOrder::in13_out24 : ll::PortOrder::in12_out34;
      return com_command(com_standard, com_search, com_files);
    }
    if (app.got_subcommand("fabric")) return fabric_command(fabric_path, csv_path, overwrite);
    if (app.got_subcommand("report")) {
      ll::report::ReportOptions report_options;
      if (report_worst > 0) report_options.worst = report_worst;
      if (!bank_rings.empty()) report_options.bank_rings = bank_rings;
      try {
        const ll::report::ReportFile file = ll::report::read_report_file(report_path);
        ll::report::write_markdown(file, report_options, std::cout);
      } catch (const ll::report::ReportInputError& e) {
        return report(e.what(), kExitBadInput);
      }
      return 0;
    }
    if (app.got_subcommand("merge")) {
      ll::check_output_path(merged_path, shard_paths, ll::existing_output(false, overwrite),
                            "merge OUTPUT", /*resumable=*/false);
      try {
        ll::merge_shards(merged_path, shard_paths);
      } catch (const std::invalid_argument& e) {
        return report(e.what(), kExitBadInput);
      }
      std::cerr << "lightlane: merged " << shard_paths.size() << " shards into " << merged_path
                << "\n";
      return 0;
    }
    ll::RunOptions options;
    options.backend = backend;
    options.output_path = output_path;
    options.threads = threads;
    options.resume = resume;
    options.overwrite = overwrite;
    options.devices = devices;
    // The shard: --shard, else what a job array or an MPI launch says, else the whole run.
    const std::string shard_text =
        shard.empty() ? ll::shard_from_environment([](const char* n) { return std::getenv(n); })
                      : shard;
    std::string shard_error;
    if (app.got_subcommand("run") && !shard_text.empty() &&
        !ll::parse_shard(shard_text, options, shard_error))
      return report(shard_error + (shard.empty() ? " (from the job array or MPI environment)" : ""),
                    kExitBadInput);
    const ll::Scenario scenario = ll::load_scenario(scenario_path, overrides);
    // The output before the plan: a path that cannot be written costs nothing to find.
    if (!output_path.empty()) ll::check_run_output(scenario, options);
    const ll::SweepPlan plan = ll::plan_sweep(scenario, threads);
    if (app.got_subcommand("validate")) {
      ll::print_validation(plan, backend, threads, std::cout);
      return 0;
    }
    return ll::execute_run(plan, options, std::cout, std::cerr);
  } catch (const ll::ScenarioError& e) {
    return report(e.what(), kExitBadInput);
  } catch (const ll::BackendError& e) {
    return report(e.what(), kExitBadInput);
  } catch (const ll::Hdf5FileError& e) {
    return report(e.what(), kExitFile);
  } catch (const std::exception& e) {
    return report(e.what(), kExitInternal, /*internal=*/true);
  }
}
