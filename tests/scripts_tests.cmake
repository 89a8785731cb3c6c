# Plotting scripts (scripts/plot_*.py); included from tests/CMakeLists.txt.
# tests/make_synthetic_output.py writes small files in the simulator's HDF5 layout (fixture
# setup), then each script must plot them without error. The scripts' outputs land in the build
# tree (scripts_check/) for a look by eye. Tests are added only when the interpreter can import
# what the scripts need, so a machine without matplotlib reports them missing at configure time
# rather than failing; scripts/setup.sh installs them (then re-run cmake).
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
  set(make_synthetic ${CMAKE_CURRENT_SOURCE_DIR}/make_synthetic_output.py)
  set(plot_eye ${CMAKE_SOURCE_DIR}/scripts/plot_eye.py)
  set(plot_ber ${CMAKE_SOURCE_DIR}/scripts/plot_ber.py)

  file(MAKE_DIRECTORY ${scripts_check_dir})
  add_test(NAME scripts_make_synthetic_sweep
           COMMAND ${Python3_EXECUTABLE} ${make_synthetic} ${synthetic_sweep})
  add_test(NAME scripts_make_synthetic_single
           COMMAND ${Python3_EXECUTABLE} ${make_synthetic} ${synthetic_single} --single)
  set_tests_properties(scripts_make_synthetic_sweep scripts_make_synthetic_single PROPERTIES
    FIXTURES_SETUP lightlane_synthetic_output
    LABELS "cpu")

  add_test(NAME scripts_plot_eye
           COMMAND ${Python3_EXECUTABLE} ${plot_eye} ${synthetic_sweep} --point 1
                   --out ${scripts_check_dir}/eye_point1)
  add_test(NAME scripts_plot_eye_absolute
           COMMAND ${Python3_EXECUTABLE} ${plot_eye} ${synthetic_sweep} --point 4 --absolute
                   --out ${scripts_check_dir}/eye_point4_absolute)
  # The point that never ran: an empty eye must still plot (normalised axis).
  add_test(NAME scripts_plot_eye_not_run
           COMMAND ${Python3_EXECUTABLE} ${plot_eye} ${synthetic_sweep} --point 5
                   --out ${scripts_check_dir}/eye_point5_not_run)
  add_test(NAME scripts_plot_eye_single
           COMMAND ${Python3_EXECUTABLE} ${plot_eye} ${synthetic_single}
                   --out ${scripts_check_dir}/eye_single)
  add_test(NAME scripts_plot_ber
           COMMAND ${Python3_EXECUTABLE} ${plot_ber} ${synthetic_sweep}
                   --out ${scripts_check_dir}/ber_vs_swing)
  add_test(NAME scripts_plot_ber_key
           COMMAND ${Python3_EXECUTABLE} ${plot_ber} ${synthetic_sweep} --key laser.power_dbm
                   --out ${scripts_check_dir}/ber_vs_power)
  add_test(NAME scripts_plot_ber_single
           COMMAND ${Python3_EXECUTABLE} ${plot_ber} ${synthetic_single}
                   --out ${scripts_check_dir}/ber_single)
  # Bad arguments must fail with a message, not a traceback or an empty plot.
  add_test(NAME scripts_plot_eye_bad_point
           COMMAND ${Python3_EXECUTABLE} ${plot_eye} ${synthetic_sweep} --point 99
                   --out ${scripts_check_dir}/unused)
  add_test(NAME scripts_plot_ber_bad_key
           COMMAND ${Python3_EXECUTABLE} ${plot_ber} ${synthetic_sweep} --key no.such_key
                   --out ${scripts_check_dir}/unused)
  set_tests_properties(
    scripts_plot_eye scripts_plot_eye_absolute scripts_plot_eye_not_run scripts_plot_eye_single
    scripts_plot_ber scripts_plot_ber_key scripts_plot_ber_single
    scripts_plot_eye_bad_point scripts_plot_ber_bad_key PROPERTIES
    FIXTURES_REQUIRED lightlane_synthetic_output
    LABELS "cpu")
  set_tests_properties(scripts_plot_eye_bad_point scripts_plot_ber_bad_key PROPERTIES
    PASS_REGULAR_EXPRESSION "out of range|not a swept key")

  # Every script from the simulator's own three-axis grid file (tests/CMakeLists.txt:
  # cli_grid_run, statistical mode with contours).
  set(grid_file ${CMAKE_CURRENT_BINARY_DIR}/grid_3axis.h5)
  set(scripts ${CMAKE_SOURCE_DIR}/scripts)
  add_test(NAME scripts_grid_plot_ber
           COMMAND ${Python3_EXECUTABLE} ${plot_ber} ${grid_file} --key driver.swing_vpp
                   --out ${scripts_check_dir}/grid_ber_vs_swing)
  # One curve of the three-axis grid: the other two keys held.
  add_test(NAME scripts_grid_plot_ber_at
           COMMAND ${Python3_EXECUTABLE} ${plot_ber} ${grid_file} --key driver.swing_vpp
                   --at laser.power_dbm=4 --at mrm_detuning_pm=70
                   --out ${scripts_check_dir}/grid_ber_vs_swing_at)
  add_test(NAME scripts_grid_plot_eye
           COMMAND ${Python3_EXECUTABLE} ${plot_eye} ${grid_file} --point 999
                   --out ${scripts_check_dir}/grid_eye_contours)
  add_test(NAME scripts_grid_plot_bathtub
           COMMAND ${Python3_EXECUTABLE} ${scripts}/plot_bathtub.py ${grid_file} --point 0
                   --point 999 --out ${scripts_check_dir}/grid_bathtub)
  add_test(NAME scripts_grid_plot_map
           COMMAND ${Python3_EXECUTABLE} ${scripts}/plot_map.py ${grid_file}
                   --x laser.power_dbm --y driver.swing_vpp --at mrm.detuning_pm=78
                   --out ${scripts_check_dir}/grid_map_ber)
  add_test(NAME scripts_grid_plot_map_eye_height
           COMMAND ${Python3_EXECUTABLE} ${scripts}/plot_map.py ${grid_file} --var eye_height
                   --out ${scripts_check_dir}/grid_map_eye_height)
  add_test(NAME scripts_plot_map_needs_a_grid
           COMMAND ${Python3_EXECUTABLE} ${scripts}/plot_map.py ${synthetic_sweep}
                   --out ${scripts_check_dir}/unused)
  set_tests_properties(scripts_grid_plot_ber scripts_grid_plot_ber_at scripts_grid_plot_eye
    scripts_grid_plot_bathtub
    scripts_grid_plot_map scripts_grid_plot_map_eye_height PROPERTIES
    FIXTURES_REQUIRED lightlane_grid_file LABELS "cpu")
  # Draws at every grid point: BER against a grid key, one series per draw; a map at one draw.
  set(grid_draws_file ${CMAKE_CURRENT_BINARY_DIR}/grid_draws.h5)
  add_test(NAME scripts_grid_draws_plot_ber
           COMMAND ${Python3_EXECUTABLE} ${plot_ber} ${grid_draws_file} --key mrm.detuning_pm
                   --at laser.power_dbm=6 --out ${scripts_check_dir}/grid_draws_ber)
  add_test(NAME scripts_grid_draws_plot_map
           COMMAND ${Python3_EXECUTABLE} ${scripts}/plot_map.py ${grid_draws_file}
                   --x mrm.detuning_pm --y laser.power_dbm --at draw=3
                   --out ${scripts_check_dir}/grid_draws_map)
  set_tests_properties(scripts_grid_draws_plot_ber scripts_grid_draws_plot_map PROPERTIES
    FIXTURES_REQUIRED lightlane_grid_draws_file LABELS "cpu")
  add_test(NAME scripts_plot_ber_bad_at
           COMMAND ${Python3_EXECUTABLE} ${plot_ber} ${grid_file} --at laser.power_dbm
                   --out ${scripts_check_dir}/unused)
  set_tests_properties(scripts_plot_ber_bad_at PROPERTIES
    FIXTURES_REQUIRED lightlane_grid_file LABELS "cpu"
    PASS_REGULAR_EXPRESSION "--at laser.power_dbm: expected KEY=VALUE")
  set_tests_properties(scripts_plot_map_needs_a_grid PROPERTIES
    FIXTURES_REQUIRED lightlane_synthetic_output LABELS "cpu"
    PASS_REGULAR_EXPRESSION "needs a grid sweep")
endif()
