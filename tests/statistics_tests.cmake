add_executable(test_statistics host/test_statistics.cpp)
target_link_libraries(test_statistics PRIVATE lightlane_host GTest::gtest_main)
gtest_discover_tests(test_statistics PROPERTIES LABELS "cpu")
