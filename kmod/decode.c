// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libvmon's MOV decoder, compiled into the module from the one source
 * tools/lib/decode.c (kbuild builds only objects under kmod/, so this
 * file includes it).  Used by the MMIO emulator (emulate.c).
 */
#include "../tools/lib/decode.c"
