import LXDCLI
