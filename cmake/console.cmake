# Builds the web console (web/) into OUT_DIR and its embedded table OUT_DIR/console_assets.c.
# Runs `npm ci` first when web/node_modules is missing (the packages come from the npm registry
# at build time, pinned by web/package-lock.json; nothing is fetched when the console runs).
# Called by CMakeLists.txt with -DWEB=... -DOUT_DIR=... -DNODE=... -DNPM=...
if(NOT EXISTS ${WEB}/node_modules/leaflet/package.json
   OR NOT EXISTS ${WEB}/node_modules/world-atlas/package.json
   OR NOT EXISTS ${WEB}/node_modules/topojson-client/package.json)
  message(STATUS "console: npm ci in ${WEB}")
  execute_process(COMMAND ${NPM} ci --no-audit --no-fund WORKING_DIRECTORY ${WEB}
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "console: npm ci failed in ${WEB} (run scripts/deps.sh)")
  endif()
endif()
execute_process(COMMAND ${NODE} ${WEB}/build.mjs ${OUT_DIR} WORKING_DIRECTORY ${WEB}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "console: node build.mjs failed")
endif()
