# SPDX-License-Identifier: GPL-2.0-or-later
# Unit tests (cmocka). Each test_X binary links the libraries it needs.
# tests/run reads this list through `make print-unit-tests`.
UNIT_TESTS =
if HAVE_CMOCKA
check_PROGRAMS += $(UNIT_TESTS)
endif
print-unit-tests:
	@echo $(UNIT_TESTS)
