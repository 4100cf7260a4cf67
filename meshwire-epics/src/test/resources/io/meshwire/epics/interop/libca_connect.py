"""Drive Debian's libca (epics-base 7.0.3.1) through ctypes: connect one channel and report.

usage: python3 libca_connect.py NAME TIMEOUT_S
Settings come from the EPICS_CA_* environment. Prints 'CONNECTED NAME HOST' or 'FAILED NAME STATE MESSAGE',
then waits for stdin to close.
"""
import ctypes
import sys

CS_CONN = 2  # enum channel_state: cs_never_conn, cs_prev_conn, cs_conn, cs_closed

name = sys.argv[1].encode()
timeout = float(sys.argv[2])
ca = ctypes.CDLL("libca.so.4.13.5")
ca.ca_context_create.argtypes = [ctypes.c_int]
ca.ca_create_channel.argtypes = [ctypes.c_char_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint,
                                 ctypes.POINTER(ctypes.c_void_p)]
ca.ca_pend_io.argtypes = [ctypes.c_double]
ca.ca_state.argtypes = [ctypes.c_void_p]
ca.ca_state.restype = ctypes.c_int
ca.ca_host_name.argtypes = [ctypes.c_void_p]
ca.ca_host_name.restype = ctypes.c_char_p
ca.ca_message.argtypes = [ctypes.c_long]
ca.ca_message.restype = ctypes.c_char_p
ca.ca_clear_channel.argtypes = [ctypes.c_void_p]

ca.ca_context_create(1)  # ca_enable_preemptive_callback
chid = ctypes.c_void_p()
ca.ca_create_channel(name, None, None, 0, ctypes.byref(chid))
status = ca.ca_pend_io(timeout)
state = ca.ca_state(chid)
if state == CS_CONN:
    print("CONNECTED", name.decode(), ca.ca_host_name(chid).decode(), flush=True)
else:
    print("FAILED", name.decode(), state, ca.ca_message(status).decode(), flush=True)
sys.stdin.read()
ca.ca_clear_channel(chid)
ca.ca_context_destroy()
