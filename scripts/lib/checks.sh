# shellcheck shell=bash
# Checks of single values, shared by the settings of the native stack (settings.sh) and the scripts
# that take a few values of their own (k8s-inputs.sh). Sourcing defines functions only; it reads no
# settings and writes nothing.

# User names go into htpasswd files and Liberty's registry: no separator of either may slip in.
CHECKS_NAME_PATTERN='^[A-Za-z0-9._-]{1,64}$'
# The default password, accepted only while the gateway listens on loopback.
# shellcheck disable=SC2034 # read by the scripts that source this file
CHECKS_DEFAULT_PASSWORD="admin"
# A password that opens the gateway to the network: at least this long, and none of the common
# ones below (compared without case). The list is short on purpose: it stops the passwords people
# try first and the examples this project's own messages and docs show, not a dictionary attack.
CHECKS_MIN_PASSWORD_LENGTH=12
CHECKS_COMMON_PASSWORDS=(
  123456789012 1234567890123 12345678901234 000000000000 111111111111 123123123123 1q2w3e4r5t6y
  qwertyuiopas qwerty123456 qwertyqwerty asdfghjklzxc abcdefghijkl abc123456789 abcd12345678
  password1234 password12345 passwordpassword password123! p@ssw0rd1234 passw0rd1234 mypassword12
  administrator admin1234567 adminadmin12 adminadmin123 admin@123456 changeme1234 changeme12345
  letmein12345 iloveyou1234 welcome12345 trustno1trustno1 sunshine1234 football1234 princess1234
  correcthorsebatterystaple "correct horse battery staple" a-long-secret a-long-random-secret
)

checks_is_name() { [[ "$1" =~ $CHECKS_NAME_PATTERN ]]; }

checks_is_ipv4() {
  local IFS=. octets octet
  [[ "$1" =~ ^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || return 1
  read -r -a octets <<<"$1"
  for octet in "${octets[@]}"; do ((10#$octet <= 255)) || return 1; done
}

checks_is_loopback() { [[ "$1" == 127.* ]]; }

# A DNS host name as a certificate's CN and subjectAltName take it: labels of letters, digits and
# inner hyphens, 253 characters at most. Nothing else reaches `openssl -subj`, where / and = separate fields.
checks_is_host_name() {
  [[ ${#1} -le 253 && "$1" =~ ^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$ ]]
}

# Why PASSWORD (of USER) is too weak to guard a gateway on the network, or nothing when it is not.
# Never prints the password.
checks_password_weakness() {
  local password="$1" user="$2" lower common
  lower="${password,,}"
  if ((${#password} < CHECKS_MIN_PASSWORD_LENGTH)); then
    echo "it has ${#password} characters, fewer than $CHECKS_MIN_PASSWORD_LENGTH"
    return
  fi
  for common in "${CHECKS_COMMON_PASSWORDS[@]}"; do
    if [[ "$lower" == "${common,,}" ]]; then
      echo "it is one of the most common passwords"
      return
    fi
  done
  if [[ "$lower" == *"${user,,}"* && ${#password} -lt $((${#user} + CHECKS_MIN_PASSWORD_LENGTH)) ]]; then
    echo "it is mostly the user name"
    return
  fi
  if [[ -z "${password//"${password:0:1}"/}" ]]; then
    echo "it repeats one character"
  fi
}
