# HDF5 writer tests; included from tests/CMakeLists.txt.
include(GoogleTest)

add_executable(test_hdf5_writer host/test_hdf5_writer.cpp)
target_link_libraries(test_hdf5_writer PRIVATE lightlane_host GTest::gtest_main)
gtest_discover_tests(test_hdf5_writer PROPERTIES LABELS "cpu")

# The file layout is a contract with users' plotting scripts, so check it with what they use:
# xarray over h5netcdf. One test writes the file (fixture setup), the Python one reads it.
# The Python interpreter must have h5py, xarray and h5netcdf; without them the check is
# reported as skipped (exit 77), not failed.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  set(LIGHTLANE_WRITER_CHECK_FILE ${CMAKE_CURRENT_BINARY_DIR}/lightlane_writer_check.h5)
  add_test(NAME hdf5_write_xarray_file
           COMMAND test_hdf5_writer --gtest_filter=Hdf5Writer.WritesXarrayFile)
  set_tests_properties(hdf5_write_xarray_file PROPERTIES
    ENVIRONMENT "LIGHTLANE_WRITER_CHECK_FILE=${LIGHTLANE_WRITER_CHECK_FILE}"
    FIXTURES_SETUP lightlane_writer_check_file
    LABELS "cpu")
  add_test(NAME hdf5_xarray_check
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/check_output.py
                   ${LIGHTLANE_WRITER_CHECK_FILE}
                   --expect-dims point,eye_amplitude,eye_phase_ui
                   --expect-coords driver.swing_vpp,laser.power_dbm)
  set_tests_properties(hdf5_xarray_check PROPERTIES
    FIXTURES_REQUIRED lightlane_writer_check_file
    SKIP_RETURN_CODE 77
    LABELS "cpu")
else()
  message(STATUS "lightlane: no Python 3 interpreter, test hdf5_xarray_check left out")
endif()
