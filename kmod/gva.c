// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libvmon's guest page-table walker, compiled into the module from the
 * one source tools/lib/gva.c (kbuild builds only objects under kmod/, so
 * this file includes it).  Used by the MMIO emulator's instruction fetch
 * (emulate.c).
 */
#include "../tools/lib/gva.c"
