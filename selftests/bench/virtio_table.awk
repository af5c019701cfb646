# SPDX-License-Identifier: GPL-2.0-only
#
# The table of rig/bench-virtio.sh: from the "figure vmon|kvm NAME VALUE
# UNIT" lines of a machine's log (one per sample), each figure's median
# for vmon and for KVM with the spread of its samples (lowest-highest)
# and the ratio of the medians vmon/KVM.  awk -v machine=NAME -f ...

function median(key, n, i, j, t, a) {
	n = cnt[key]
	for (i = 1; i <= n; i++)
		a[i] = val[key, i]
	# insertion sort: a handful of samples
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	lo[key] = a[1]
	hi[key] = a[n]
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}

function cell(key, m) {
	if (!cnt[key])
		return sprintf("%26s", "-")
	m = median(key)
	return sprintf("%8g (%g-%g) n=%d", m, lo[key], hi[key], cnt[key])
}

{ sub(/\r$/, "") }
$1 == "figure" && ($2 == "vmon" || $2 == "kvm") && $4 ~ /^[0-9.]+$/ {
	key = $2 " " $3
	val[key, ++cnt[key]] = $4 + 0
	unit[$3] = $5
	if (!($3 in seen)) {
		seen[$3] = 1
		order[n++] = $3
	}
}
END {
	printf "  %-18s %-30s %-30s %6s   (%s: median (lowest-highest) n=samples)\n",
	       "figure", "vmon", "kvm", "ratio", machine
	for (i = 0; i < n; i++) {
		k = order[i]
		a = cnt["vmon " k] ? median("vmon " k) : 0
		b = cnt["kvm " k] ? median("kvm " k) : 0
		printf "  %-18s %-30s %-30s %6s   %s\n", k, cell("vmon " k), cell("kvm " k),
		       (a && b) ? sprintf("%.2f", a / b) : "-", unit[k]
	}
}
