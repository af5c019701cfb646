/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Opening /dev/vmon with errors that say what to do.
 */
#ifndef VMON_DEVICE_H
#define VMON_DEVICE_H

/*
 * The system fd, checked to speak this vmon's ABI; or -errno (-EPROTO:
 * another ABI) after printing one line with a hint.
 */
int vmon_open_device(void);
/* the same without a word, for callers with a fallback */
int vmon_open_device_quiet(void);
/* print one line for a failure of libvmon_vm_create() */
void vmon_explain_vm_create(int err);

#endif /* VMON_DEVICE_H */
