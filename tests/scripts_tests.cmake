# Plotting scripts (scripts/plot_*.py); included from tests/CMakeLists.txt.
# tests/make_synthetic_output.py writes small files in the simulator's HDF5 layout (fixture
# setup), then each script must plot them, and the files the simulator writes in
# tests/CMakeLists.txt (cli_*_run: a three-axis grid, a grid with draws, a WDM list and a WDM
# grid), without error. The scripts' outputs land in the build tree (scripts_check/) for a look
# by eye. Tests are added only when the interpreter can import what the scripts need, so a
# machine without matplotlib reports them missing at configure time rather than failing;
# scripts/setup.sh installs them (then re-run cmake).
#
# Checks beyond "it ran" go through tests/expect_run.py: the exact exit status (a refusal is
# run_plot's status 1 with one line on stderr and no traceback; CTest's PASS_REGULAR_EXPRESSION
# would drop the status check), what the script printed (the lane it chose) and what the
# figure says (an SVG keeps its title and legend texts as comments).
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  execute_process(COMMAND ${Python3_EXECUTABLE} -c "import h5py, matplotlib, numpy"
                  RESULT_VARIABLE lightlane_plot_modules_missing OUTPUT_QUIET ERROR_QUIET)
endif()

if(NOT Python3_Interpreter_FOUND OR lightlane_plot_modules_missing)
  message(STATUS "lightlane: Python 3 with h5py, numpy and matplotlib not found, "
                 "plotting-script tests left out")
else()
  set(scripts_check_dir ${CMAKE_CURRENT_BINARY_DIR}/scripts_check)
  set(synthetic_sweep ${scripts_check_dir}/synthetic_sweep.h5)
  set(synthetic_single ${scripts_check_dir}/synthetic_single.h5)
  set(synthetic_wdm ${scripts_check_dir}/synthetic_wdm.h5)
  set(make_synthetic ${CMAKE_CURRENT_SOURCE_DIR}/make_synthetic_output.py)
  set(scripts ${CMAKE_SOURCE_DIR}/scripts)
  set(plot_eye ${Python3_EXECUTABLE} ${scripts}/plot_eye.py)
  set(plot_ber ${Python3_EXECUTABLE} ${scripts}/plot_ber.py)
  set(plot_bathtub ${Python3_EXECUTABLE} ${scripts}/plot_bathtub.py)
  set(plot_map ${Python3_EXECUTABLE} ${scripts}/plot_map.py)
  set(expect ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/expect_run.py)
  # The simulator's files (tests/CMakeLists.txt) and the fixtures that make them.
  set(grid_file ${CMAKE_CURRENT_BINARY_DIR}/grid_3axis.h5)
  set(grid_draws_file ${CMAKE_CURRENT_BINARY_DIR}/grid_draws.h5)
  set(wdm_file ${CMAKE_CURRENT_BINARY_DIR}/wdm_8x200g.h5)
  set(wdm_grid_file ${CMAKE_CURRENT_BINARY_DIR}/wdm_grid.h5)
  set(synthetic lightlane_synthetic_output)

  # lightlane_expect(NAME FIXTURES EXPECT_RUN_ARGS... -- COMMAND...): a cpu test through
  # expect_run.py needing FIXTURES (a ;-list).
  function(lightlane_expect name fixtures)
    add_test(NAME ${name} COMMAND ${expect} ${ARGN})
    set_tests_properties(${name} PROPERTIES FIXTURES_REQUIRED "${fixtures}" LABELS "cpu")
  endfunction()
  # lightlane_refuses(NAME FIXTURES REGEX COMMAND...): the script must refuse with status 1 and
  # one line on stderr matching REGEX, and write no figure.
  function(lightlane_refuses name fixtures regex)
    lightlane_expect(${name} "${fixtures}" --status 1 --stderr=${regex}
                     --absent ${scripts_check_dir}/${name}.png -- ${ARGN}
                     --out ${scripts_check_dir}/${name})
  endfunction()

  file(MAKE_DIRECTORY ${scripts_check_dir})
  add_test(NAME scripts_make_synthetic_sweep
           COMMAND ${Python3_EXECUTABLE} ${make_synthetic} ${synthetic_sweep})
  add_test(NAME scripts_make_synthetic_single
           COMMAND ${Python3_EXECUTABLE} ${make_synthetic} ${synthetic_single} --single)
  add_test(NAME scripts_make_synthetic_wdm
           COMMAND ${Python3_EXECUTABLE} ${make_synthetic} ${synthetic_wdm} --wdm)
  set_tests_properties(scripts_make_synthetic_sweep scripts_make_synthetic_single
    scripts_make_synthetic_wdm PROPERTIES
    FIXTURES_SETUP ${synthetic}
    LABELS "cpu")

  # --- A list sweep (`point`), synthetic: every case a point can be in.
  add_test(NAME scripts_plot_eye
           COMMAND ${plot_eye} ${synthetic_sweep} --point 1 --out ${scripts_check_dir}/eye_point1)
  add_test(NAME scripts_plot_eye_absolute
           COMMAND ${plot_eye} ${synthetic_sweep} --point 4 --absolute
                   --out ${scripts_check_dir}/eye_point4_absolute)
  # The point that never ran: an empty eye must still plot (normalised axis).
  add_test(NAME scripts_plot_eye_not_run
           COMMAND ${plot_eye} ${synthetic_sweep} --point 5
                   --out ${scripts_check_dir}/eye_point5_not_run)
  add_test(NAME scripts_plot_eye_single
           COMMAND ${plot_eye} ${synthetic_single} --out ${scripts_check_dir}/eye_single)
  add_test(NAME scripts_plot_ber_key
           COMMAND ${plot_ber} ${synthetic_sweep} --key laser.power_dbm
                   --out ${scripts_check_dir}/ber_vs_power)
  add_test(NAME scripts_plot_ber_single
           COMMAND ${plot_ber} ${synthetic_single} --out ${scripts_check_dir}/ber_single)
  set_tests_properties(scripts_plot_eye scripts_plot_eye_absolute scripts_plot_eye_not_run
    scripts_plot_eye_single scripts_plot_ber_key scripts_plot_ber_single PROPERTIES
    FIXTURES_REQUIRED ${synthetic} LABELS "cpu")
  # The KP4 threshold in the legend; no lane line before "wrote" on a file without lanes.
  lightlane_expect(scripts_plot_ber ${synthetic} --status 0 --stdout [[\Awrote ]]
    --file ${scripts_check_dir}/ber_vs_swing.svg [[KP4 pre-FEC threshold 2\.4e-4]]
    -- ${plot_ber} ${synthetic_sweep} --out ${scripts_check_dir}/ber_vs_swing)
  # Monte-Carlo points only: a figure that says there is no statistical bathtub.
  lightlane_expect(scripts_plot_bathtub ${synthetic} --status 0
    --file ${scripts_check_dir}/bathtub_mc.svg [[no statistical bathtub]]
    -- ${plot_bathtub} ${synthetic_sweep} --point 0 --point 3
    --out ${scripts_check_dir}/bathtub_mc)
  # --lane 0 is the only lane of a file without lanes: accepted.
  lightlane_expect(scripts_plot_eye_lane_zero ${synthetic} --status 0 --stdout [[\Awrote ]]
    -- ${plot_eye} ${synthetic_sweep} --lane 0 --out ${scripts_check_dir}/eye_lane0)
  # Bad arguments must fail with a message, not a traceback or an empty plot.
  lightlane_refuses(scripts_plot_eye_bad_point ${synthetic} "--point 99 out of range"
    ${plot_eye} ${synthetic_sweep} --point 99)
  lightlane_refuses(scripts_plot_ber_bad_key ${synthetic} "no.such_key is not a swept key"
    ${plot_ber} ${synthetic_sweep} --key no.such_key)
  lightlane_refuses(scripts_plot_map_needs_a_grid ${synthetic} "needs a grid sweep"
    ${plot_map} ${synthetic_sweep})
  lightlane_refuses(scripts_plot_ber_lane_without_lanes ${synthetic}
    "--lane 1: this file has no lane dimension" ${plot_ber} ${synthetic_sweep} --lane 1)

  # --- A WDM list, synthetic, with a known worst lane (make_synthetic_output.py, WDM_ERRORS):
  # lane 1 at point 0 (also the highest BER anywhere), lane 2 over the points (mean log10 BER).
  lightlane_expect(scripts_synthetic_wdm_layout "${synthetic};lightlane_wdm_file" --status 0
    -- ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/same_layout.py ${synthetic_wdm}
    ${wdm_file})
  lightlane_expect(scripts_wdm_plot_eye ${synthetic} --status 0
    --stdout [[^lane 1 \(worst of 4\)$]]
    --file ${scripts_check_dir}/wdm_eye.svg [[lane 1 \(worst of 4\)]]
    -- ${plot_eye} ${synthetic_wdm} --out ${scripts_check_dir}/wdm_eye)
  lightlane_expect(scripts_wdm_plot_eye_lane ${synthetic} --status 0 --stdout [[^lane 3 of 4$]]
    --file ${scripts_check_dir}/wdm_eye_lane3.svg [[lane 3 of 4]]
    -- ${plot_eye} ${synthetic_wdm} --point 2 --lane 3 --absolute
    --out ${scripts_check_dir}/wdm_eye_lane3)
  # Nothing ran at point 3: no lane is the worst, lane 0 is shown and the title says why.
  lightlane_expect(scripts_wdm_plot_eye_not_run ${synthetic} --status 0
    --stdout [[^lane 0 of 4 \(no BER to pick the worst by\)$]]
    -- ${plot_eye} ${synthetic_wdm} --point 3 --out ${scripts_check_dir}/wdm_eye_not_run)
  lightlane_expect(scripts_wdm_plot_ber ${synthetic} --status 0
    --stdout [[^lane 2 \(worst of 4\)$]]
    --file ${scripts_check_dir}/wdm_ber.svg [[lane 2 \(worst of 4\)]]
    --file ${scripts_check_dir}/wdm_ber.svg [[KP4 pre-FEC threshold 2\.4e-4]]
    -- ${plot_ber} ${synthetic_wdm} --out ${scripts_check_dir}/wdm_ber)
  lightlane_expect(scripts_wdm_plot_ber_lane ${synthetic} --status 0 --stdout [[^lane 1 of 4$]]
    -- ${plot_ber} ${synthetic_wdm} --key wdm.demux.power_coupling_drop --lane 1
    --out ${scripts_check_dir}/wdm_ber_lane1)
  lightlane_expect(scripts_wdm_plot_bathtub ${synthetic} --status 0
    --stdout [[^lane 2 \(worst of 4\)$]]
    -- ${plot_bathtub} ${synthetic_wdm} --point 0 --point 1
    --out ${scripts_check_dir}/wdm_bathtub)
  lightlane_refuses(scripts_wdm_plot_eye_bad_lane ${synthetic}
    "--lane 4 out of range: the file has 4 lanes" ${plot_eye} ${synthetic_wdm} --lane 4)
  lightlane_refuses(scripts_wdm_plot_ber_bad_lane ${synthetic} "--lane -1 out of range"
    ${plot_ber} ${synthetic_wdm} --lane -1)
  lightlane_refuses(scripts_wdm_plot_map_needs_a_grid ${synthetic} "needs a grid sweep"
    ${plot_map} ${synthetic_wdm})

  # --- The simulator's three-axis grid (cli_grid_run, statistical mode with contours).
  add_test(NAME scripts_grid_plot_ber
           COMMAND ${plot_ber} ${grid_file} --key driver.swing_vpp
                   --out ${scripts_check_dir}/grid_ber_vs_swing)
  # One curve of the three-axis grid: the other two keys held.
  add_test(NAME scripts_grid_plot_ber_at
           COMMAND ${plot_ber} ${grid_file} --key driver.swing_vpp
                   --at laser.power_dbm=4 --at mrm_detuning_pm=70
                   --out ${scripts_check_dir}/grid_ber_vs_swing_at)
  add_test(NAME scripts_grid_plot_eye
           COMMAND ${plot_eye} ${grid_file} --point 999
                   --out ${scripts_check_dir}/grid_eye_contours)
  add_test(NAME scripts_grid_plot_bathtub
           COMMAND ${plot_bathtub} ${grid_file} --point 0 --point 999
                   --out ${scripts_check_dir}/grid_bathtub)
  add_test(NAME scripts_grid_plot_map
           COMMAND ${plot_map} ${grid_file}
                   --x laser.power_dbm --y driver.swing_vpp --at mrm.detuning_pm=78
                   --out ${scripts_check_dir}/grid_map_ber)
  add_test(NAME scripts_grid_plot_map_eye_height
           COMMAND ${plot_map} ${grid_file} --var eye_height
                   --out ${scripts_check_dir}/grid_map_eye_height)
  set_tests_properties(scripts_grid_plot_ber scripts_grid_plot_ber_at scripts_grid_plot_eye
    scripts_grid_plot_bathtub scripts_grid_plot_map scripts_grid_plot_map_eye_height PROPERTIES
    FIXTURES_REQUIRED lightlane_grid_file LABELS "cpu")
  lightlane_refuses(scripts_plot_ber_bad_at lightlane_grid_file
    "--at laser.power_dbm: expected KEY=VALUE" ${plot_ber} ${grid_file} --at laser.power_dbm)
  lightlane_refuses(scripts_plot_bathtub_lane_without_lanes lightlane_grid_file
    "--lane 2: this file has no lane dimension" ${plot_bathtub} ${grid_file} --lane 2)

  # --- Draws at every grid point: BER against a grid key, one series per draw; a map at one
  # draw; an eye and bathtubs whose legends carry every drawn key.
  add_test(NAME scripts_grid_draws_plot_ber
           COMMAND ${plot_ber} ${grid_draws_file} --key mrm.detuning_pm
                   --at laser.power_dbm=6 --out ${scripts_check_dir}/grid_draws_ber)
  add_test(NAME scripts_grid_draws_plot_map
           COMMAND ${plot_map} ${grid_draws_file}
                   --x mrm.detuning_pm --y laser.power_dbm --at draw=3
                   --out ${scripts_check_dir}/grid_draws_map)
  add_test(NAME scripts_grid_draws_plot_eye
           COMMAND ${plot_eye} ${grid_draws_file} --point 47
                   --out ${scripts_check_dir}/grid_draws_eye)
  add_test(NAME scripts_grid_draws_plot_bathtub
           COMMAND ${plot_bathtub} ${grid_draws_file} --point 0 --point 47
                   --out ${scripts_check_dir}/grid_draws_bathtub)
  set_tests_properties(scripts_grid_draws_plot_ber scripts_grid_draws_plot_map
    scripts_grid_draws_plot_eye scripts_grid_draws_plot_bathtub PROPERTIES
    FIXTURES_REQUIRED lightlane_grid_draws_file LABELS "cpu")

  # --- The simulator's WDM files (cli_wdm_run: 8 lanes on `point`; cli_wdm_grid_run: 4 lanes
  # after two grid dimensions). Which lane is worst depends on the run; that one was chosen
  # and named is checked.
  lightlane_expect(scripts_wdm_run_plot_eye lightlane_wdm_file --status 0
    --stdout [[^lane \d \(worst of 8\)$]]
    -- ${plot_eye} ${wdm_file} --point 3 --out ${scripts_check_dir}/wdm_run_eye)
  lightlane_expect(scripts_wdm_run_plot_ber lightlane_wdm_file --status 0
    --stdout [[^lane \d \(worst of 8\)$]]
    --file ${scripts_check_dir}/wdm_run_ber.svg [[KP4 pre-FEC threshold 2\.4e-4]]
    -- ${plot_ber} ${wdm_file} --out ${scripts_check_dir}/wdm_run_ber)
  lightlane_expect(scripts_wdm_run_plot_bathtub lightlane_wdm_file --status 0
    --stdout [[^lane \d \(worst of 8\)$]]
    -- ${plot_bathtub} ${wdm_file} --point 0 --point 3
    --out ${scripts_check_dir}/wdm_run_bathtub)
  lightlane_expect(scripts_wdm_grid_plot_eye lightlane_wdm_grid_file --status 0
    --stdout [[^lane \d \(worst of 4\)$]]
    -- ${plot_eye} ${wdm_grid_file} --point 5 --out ${scripts_check_dir}/wdm_grid_eye)
  lightlane_expect(scripts_wdm_grid_plot_ber lightlane_wdm_grid_file --status 0
    --stdout [[^lane \d \(worst of 4\)$]]
    -- ${plot_ber} ${wdm_grid_file} --key laser.power_dbm
    --out ${scripts_check_dir}/wdm_grid_ber)
  lightlane_expect(scripts_wdm_grid_plot_ber_at lightlane_wdm_grid_file --status 0
    --stdout [[^lane 2 of 4$]]
    -- ${plot_ber} ${wdm_grid_file} --key laser.power_dbm
    --at wdm.demux.power_coupling_drop=0.12 --lane 2 --out ${scripts_check_dir}/wdm_grid_ber_at)
  lightlane_expect(scripts_wdm_grid_plot_bathtub lightlane_wdm_grid_file --status 0
    --stdout [[^lane \d \(worst of 4\)$]]
    -- ${plot_bathtub} ${wdm_grid_file} --point 0 --point 5
    --out ${scripts_check_dir}/wdm_grid_bathtub)
  lightlane_expect(scripts_wdm_grid_plot_map lightlane_wdm_grid_file --status 0
    --stdout [[^lane \d \(worst of 4\)$]]
    -- ${plot_map} ${wdm_grid_file} --out ${scripts_check_dir}/wdm_grid_map)
  lightlane_refuses(scripts_wdm_grid_plot_map_bad_lane lightlane_wdm_grid_file
    "--lane 9 out of range: the file has 4 lanes" ${plot_map} ${wdm_grid_file} --lane 9)
  # The fabric roll-up's CSV (lightlane fabric --csv) and its bar charts (scripts/plot_fabric.py).
  set(fabric_csv ${scripts_check_dir}/fabric_128k.csv)
  add_test(NAME scripts_fabric_csv
           COMMAND $<TARGET_FILE:lightlane> fabric
                   ${CMAKE_SOURCE_DIR}/scenarios/systems/fabric_128k.toml --csv ${fabric_csv}
                   --overwrite)
  set_tests_properties(scripts_fabric_csv PROPERTIES LABELS "cpu" FIXTURES_SETUP lightlane_fabric_csv)
  lightlane_expect(scripts_plot_fabric lightlane_fabric_csv --status 0
    --stdout [[^wrote .*fabric_128k\.png .*fabric_128k\.svg$]]
    -- ${Python3_EXECUTABLE} ${scripts}/plot_fabric.py ${fabric_csv}
    --out ${scripts_check_dir}/fabric_128k)
  # plot_report.py (lightlane report's plots) into a folder: the synthetic list (points that never
  # ran left out), the grid with draws (the yield per grid point with its interval), the WDM list
  # (the worst lane, pJ/bit by part); an existing plot is refused without --overwrite.
  set(plot_report ${Python3_EXECUTABLE} ${scripts}/plot_report.py)
  set(report_dir ${scripts_check_dir}/report)
  lightlane_expect(scripts_plot_report ${synthetic} --status 0 --stdout [[margin_ber\.png]]
    --file ${report_dir}_sweep/margin_ber.svg "BER vs"
    -- ${plot_report} ${synthetic_sweep} -o ${report_dir}_sweep --overwrite)
  lightlane_expect(scripts_plot_report_draws lightlane_grid_draws_file --status 0
    --stdout [[yield\.png]] --file ${report_dir}_draws/yield.svg "yield per grid point"
    -- ${plot_report} ${grid_draws_file} -o ${report_dir}_draws --overwrite)
  lightlane_expect(scripts_plot_report_wdm lightlane_wdm_file --status 0 --stdout [[energy\.png]]
    --file ${report_dir}_wdm/energy.svg "serdes" --file ${report_dir}_wdm/margin_ber.svg "worst lane"
    -- ${plot_report} ${wdm_file} -o ${report_dir}_wdm --overwrite)
  lightlane_expect(scripts_plot_report_refuses_existing ${synthetic} --status 1
    --stderr [[margin_ber\.png exists \(use --overwrite to replace it\)]]
    -- bash -c "mkdir -p ${report_dir}_existing && touch ${report_dir}_existing/margin_ber.png && exec ${Python3_EXECUTABLE} ${scripts}/plot_report.py ${synthetic_sweep} -o ${report_dir}_existing")
endif()
