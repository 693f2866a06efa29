# All warning flags in one place. -Werror is on by default so that a warning
# fails the build everywhere, not only in CI.
option(WIJKCAL_WERROR "Treat warnings as errors" ON)
set(WIJKCAL_WARNINGS
	-Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes
	-Wmissing-prototypes -Wold-style-definition -Wvla -Wpointer-arith
	-Wno-unused-parameter)
if(WIJKCAL_WERROR)
	list(APPEND WIJKCAL_WARNINGS -Werror)
endif()
# Functions that are banned in this code base (see README, "Code style").
add_compile_definitions(_GNU_SOURCE)
