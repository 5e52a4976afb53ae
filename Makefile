# sarhad: the two commands a newcomer needs are `make demo` and `make test`.
#
#   make         build build/sarhad (optimised, with debug info)
#   make test    install dependencies, build with ASan+UBSan in build/asan, run every test
#   make demo    install dependencies, build, start a node in demo/ and print its URL and token
#   make bench   build optimised, run the load generators (figures in build/bench-results.md;
#                bench/RESULTS.md records them with the machine)
#   make format  clang-format the sources;  make check-format  fail if they are not

JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all deps build test demo bench format check-format clean

all: build

deps:
	@./scripts/deps.sh

build/Makefile: CMakeLists.txt
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

build: build/Makefile
	cmake --build build -j$(JOBS) --target sarhad

build/asan/Makefile: CMakeLists.txt
	cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DSARHAD_SANITIZE=ON $(CMAKE_FLAGS)

test: deps build/asan/Makefile check-format
	cmake --build build/asan -j$(JOBS)
	cd build/asan && ctest --output-on-failure -j$(JOBS)

demo: deps build
	./scripts/demo.sh

bench: deps
	SARHAD_EXTRA_PKGS=wrk ./scripts/deps.sh
	cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DSARHAD_TESTS=OFF
	cmake --build build/release -j$(JOBS) --target sarhad bench_coverage bench_planner
	./bench/run.sh build/release/sarhad

format:
	clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c')

check-format:
	clang-format --dry-run --Werror $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c')

clean:
	rm -rf build
