# Deployment tests (deploy/): what an operator installs and runs, checked without a container
# engine (none runs on the build machines; see README.md, "Deployment tests").
#   unit  static checks: the unit verifies, compose.yaml and the Dockerfile say what they must,
#         cmake --install lays the files out
#   db    the installed binary's --migrate and --check against a throw-away PostgreSQL
#   e2e   a real vsftpd (tests/vsftpd_harness.sh, used by other e2e tests too) and the whole
#         compose topology natively on loopback
# Scripts exit 77 when a prerequisite is missing (root for vsftpd, a PostgreSQL server).
set(CU_DEPLOY_TESTS_DIR ${CMAKE_CURRENT_SOURCE_DIR})

function(cu_deploy_test name labels)
  add_test(NAME ${name} COMMAND ${ARGN})
  set_tests_properties(${name} PROPERTIES LABELS "${labels}" SKIP_RETURN_CODE 77 TIMEOUT 120)
endfunction()

cu_deploy_test(deploy_unit_verify unit
  ${CU_DEPLOY_TESTS_DIR}/deploy_unit_verify.sh ${PROJECT_SOURCE_DIR}/deploy/cuwatch.service
  $<TARGET_FILE:cuwatch>)
cu_deploy_test(deploy_compose unit
  ${CU_DEPLOY_TESTS_DIR}/deploy_static.py compose ${PROJECT_SOURCE_DIR})
cu_deploy_test(deploy_dockerfile unit
  ${CU_DEPLOY_TESTS_DIR}/deploy_static.py dockerfile ${PROJECT_SOURCE_DIR} $<TARGET_FILE:cuwatch>)
cu_deploy_test(deploy_install unit
  ${CU_DEPLOY_TESTS_DIR}/deploy_install.sh files ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
cu_deploy_test(deploy_installed_check db
  ${CU_DEPLOY_TESTS_DIR}/deploy_install.sh check ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
cu_deploy_test(deploy_vsftpd_upload e2e
  ${CU_DEPLOY_TESTS_DIR}/deploy_vsftpd_upload.sh ${PROJECT_SOURCE_DIR})
cu_deploy_test(deploy_stack e2e
  ${CU_DEPLOY_TESTS_DIR}/deploy_stack.sh ${PROJECT_SOURCE_DIR} $<TARGET_FILE:cuwatch>
  ${CU_EXAMPLES_DIR})
cu_deploy_test(deploy_alerts unit
  ${CU_DEPLOY_TESTS_DIR}/deploy_alerts.sh ${PROJECT_SOURCE_DIR})
cu_deploy_test(deploy_roles db
  ${CU_DEPLOY_TESTS_DIR}/deploy_roles.sh $<TARGET_FILE:cuwatch> ${PROJECT_SOURCE_DIR})
set_tests_properties(deploy_roles PROPERTIES
  ENVIRONMENT "CUWATCH_GENLOGS=$<TARGET_FILE:cuwatch-genlogs>")
cu_deploy_test(deploy_healthcheck db
  ${CU_DEPLOY_TESTS_DIR}/deploy_healthcheck.sh $<TARGET_FILE:cuwatch> ${PROJECT_SOURCE_DIR})
set_tests_properties(deploy_healthcheck PROPERTIES ENVIRONMENT "CU_EXAMPLES_DIR=${CU_EXAMPLES_DIR}")
cu_deploy_test(deploy_man unit
  ${CU_DEPLOY_TESTS_DIR}/deploy_man.sh ${PROJECT_SOURCE_DIR} $<TARGET_FILE:cuwatch>)
# Builds a Release tree of its own (the unit header's recipe), then the .deb with cpack.
cu_deploy_test(deploy_package deploy
  ${CU_DEPLOY_TESTS_DIR}/deploy_package.sh ${PROJECT_SOURCE_DIR})
set_tests_properties(deploy_package PROPERTIES TIMEOUT 900)
cu_deploy_test(deploy_check_layout db
  ${CU_DEPLOY_TESTS_DIR}/deploy_check_layout.sh $<TARGET_FILE:cuwatch>)
set_tests_properties(deploy_check_layout PROPERTIES ENVIRONMENT "CU_EXAMPLES_DIR=${CU_EXAMPLES_DIR}")
cu_deploy_test(deploy_deps_demo unit
  ${CU_DEPLOY_TESTS_DIR}/deploy_deps_demo.sh ${PROJECT_SOURCE_DIR})
cu_deploy_test(deploy_grafana db
  ${CU_DEPLOY_TESTS_DIR}/deploy_grafana.sh $<TARGET_FILE:cuwatch> ${PROJECT_SOURCE_DIR})
set_tests_properties(deploy_grafana PROPERTIES
  ENVIRONMENT "CUWATCH_GENLOGS=$<TARGET_FILE:cuwatch-genlogs>")
