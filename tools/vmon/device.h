/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Opening /dev/vmon with errors that say what to do.
 */
#ifndef VMON_DEVICE_H
#define VMON_DEVICE_H

/* the system fd, or -errno after printing one line with a hint */
int vmon_open_device(void);
/* print one line for a failure of vmon_vm_create() */
void vmon_explain_vm_create(int err);

#endif /* VMON_DEVICE_H */
