# shellcheck shell=bash
# Preflight on a swarm node when the overlay is encrypted (overlay.encrypted): Docker encrypts the
# overlay's VXLAN traffic with IPsec ESP, AES-GCM (`rfc4106(gcm(aes))`), which the kernel must carry.
# Tried in a network namespace of its own, thrown away at once: the host's own IPsec state is untouched.
# Without it, Docker still makes the network, and no container traffic crosses it (the connections
# time out). Runs after framework/preflight/preflight.sh (`problem`; `as_root`, known to work).
key=$(od -An -tx1 -N20 /dev/urandom | tr -d ' \n')
if ! said=$(as_root unshare --net ip xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x00001000 reqid 1 \
  mode transport aead 'rfc4106(gcm(aes))' "0x$key" 128 2>&1); then
  said=${said#Error: }
  problem "encrypted overlay" "the kernel cannot carry IPsec ESP with AES-GCM, which an encrypted overlay needs (ip xfrm: ${said:-no answer})" \
    "use a kernel with ESP and AES-GCM (modules esp4, gcm and aes: modprobe them if they are built but not loaded), or set overlay.encrypted: false (the overlay's traffic then crosses the hosts' network in plain text)"
fi
