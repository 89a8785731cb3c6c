// A run's shards (--shard k/N, or k/N from a Slurm job array or an MPI launch) and the output
// file each writes, and the checks on the output path before anything runs (host/run/runner.hpp).
#include <filesystem>
#include <stdexcept>
#include <string>

#include "host/io/output_path.hpp"
#include "host/link/lane_setup.hpp"
#include "host/run/runner.hpp"

namespace ll {

bool parse_shard(const std::string& text, RunOptions& options, std::string& error) {
  const auto slash = text.find('/');
  try {
    if (slash == std::string::npos) throw std::invalid_argument("no slash");
    std::size_t used_k = 0, used_n = 0;
    const std::string k_text = text.substr(0, slash), n_text = text.substr(slash + 1);
    const long k = std::stol(k_text, &used_k), n = std::stol(n_text, &used_n);
    if (used_k != k_text.size() || used_n != n_text.size()) throw std::invalid_argument("junk");
    if (n < 1 || n > 1000000 || k < 0 || k >= n) {
      error = "--shard " + text + ": expected k/N with 0 <= k < N (N at most 1e6)";
      return false;
    }
    options.shard = static_cast<int>(k);
    options.shards = static_cast<int>(n);
    return true;
  } catch (const std::exception&) {
    error = "--shard " + text + ": expected k/N, e.g. 0/4 (the first of four shards)";
    return false;
  }
}

std::string shard_from_environment(const std::function<const char*(const char*)>& getenv) {
  auto value = [&](const char* name) -> std::string {
    const char* v = getenv(name);
    return v ? std::string(v) : std::string();
  };
  const std::string task = value("SLURM_ARRAY_TASK_ID"), count = value("SLURM_ARRAY_TASK_COUNT");
  if (!task.empty() && !count.empty()) {
    const std::string min = value("SLURM_ARRAY_TASK_MIN");
    try {
      const long k = std::stol(task) - (min.empty() ? 0 : std::stol(min));
      return std::to_string(k) + "/" + count;
    } catch (const std::exception&) {
      return task + "/" + count;  // parse_shard says what is wrong with it
    }
  }
  for (const auto& [rank, size] : {std::pair{"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"},
                                   std::pair{"PMI_RANK", "PMI_SIZE"}}) {
    if (!value(rank).empty() && !value(size).empty()) return value(rank) + "/" + value(size);
  }
  return "";
}

std::string shard_output_path(const std::string& path, int shard, int shards) {
  if (shards <= 1) return path;
  const std::filesystem::path p(path);
  const std::string tag = ".shard-" + std::to_string(shard) + "-of-" + std::to_string(shards);
  return (p.parent_path() / (p.stem().string() + tag + p.extension().string())).string();
}

std::vector<std::string> run_input_files(const Scenario& s) {
  std::vector<std::string> files{s.path};
  const std::string channel = channel_file_path(s, lane_params(s, 0));
  if (!channel.empty()) files.push_back(channel);
  return files;
}

void check_run_output(const Scenario& s, const RunOptions& options) {
  check_output_path(shard_output_path(options.output_path, options.shard, options.shards),
                    run_input_files(s), existing_output(options.resume, options.overwrite),
                    "--output");
}

}  // namespace ll
