# shellcheck shell=sh
# add-authorized-key LINE BLOB: what ssh-copy-id does, without bash. Idempotent: the key's base64 BLOB is
# looked up, so a changed comment does not add a duplicate. umask and chmod give OpenSSH's StrictModes
# the permissions it insists on.
line=$1 blob=$2
umask 077
mkdir -p "$HOME/.ssh" && chmod 700 "$HOME/.ssh" || exit 1
file=$HOME/.ssh/authorized_keys
touch "$file" && chmod 600 "$file" || exit 1
if grep -qF " $blob" "$file"; then echo already; exit 0; fi
if [ -s "$file" ] && [ -n "$(tail -c 1 "$file")" ]; then echo >> "$file"; fi
printf '%s\n' "$line" >> "$file" && echo added
