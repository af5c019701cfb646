// SPDX-License-Identifier: GPL-2.0-only
/*
 * Flat binary loader: the file is the guest's memory image from the
 * load address on, as "objcopy -O binary" or "nasm -f bin" write it.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "../parse.h"
#include "../vmon.h"
#include "loaders.h"

static const struct input_file flat_file = {
	.what = "guest image", .option = "--flat",
	.type_hint = "give --flat a file",
	.empty_hint = "build the guest first?",
	.empty_error = -EINVAL,
};

int flat_load(const char *path, void *mem, uint64_t mem_size, uint64_t load,
	      uint64_t *image_size)
{
	char size_str[32], mem_str[32];
	uint64_t size;
	int fd, ret;

	fd = open_input_file(path, &flat_file, &size);
	if (fd < 0)
		return fd;
	if (!flat_image_fits(size, load, mem_size)) {
		vmon_err("guest image %s (%s) does not fit in %s of guest memory at 0x%llx (raise --mem or lower --load)",
			 path, format_size(size, size_str, sizeof(size_str)),
			 format_size(mem_size, mem_str, sizeof(mem_str)),
			 (unsigned long long)load);
		ret = -EFBIG;
		goto out;
	}
	ret = load_file_contents(fd, (char *)mem + load, size, "guest image", path);
	if (ret)
		goto out;
	*image_size = size;
	ret = 0;
out:
	close(fd);
	return ret;
}
