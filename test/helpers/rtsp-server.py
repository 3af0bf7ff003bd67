#!/usr/bin/python3
# A test RTSP camera: GStreamer's RTSP server serving an mp4 (H.264 or H.265) at rtsp://127.0.0.1:PORT/PATH.
# Prints "READY <port>" on stdout once listening; optional basic auth; runs until SIGTERM/SIGINT.
import argparse
import os
import signal
import sys

import gi

gi.require_version('Gst', '1.0')
gi.require_version('GstRtspServer', '1.0')
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument('--file', required=True, help='mp4 file to serve')
parser.add_argument('--port', type=int, default=0, help='0 picks a free port')
parser.add_argument('--path', default='/cam', help='mount path, e.g. /cam')
parser.add_argument('--codec', choices=['h264', 'h265'], default='h264')
parser.add_argument('--user', default='')
# The password comes in the environment, never on the command line: tests assert no process shows it in ps.
parser.add_argument('--password', default=os.environ.get('RTSP_SERVER_PASSWORD', ''))
args = parser.parse_args()

Gst.init(None)
parse = 'h265parse' if args.codec == 'h265' else 'h264parse'
pay = 'rtph265pay' if args.codec == 'h265' else 'rtph264pay'
location = args.file.replace('"', '\\"')
# config-interval=-1 repeats the parameter sets with every keyframe, as real cameras do, so reconnects decode at once.
launch = f'( filesrc location="{location}" ! qtdemux ! {parse} ! {pay} name=pay0 pt=96 config-interval=-1 )'

server = GstRtspServer.RTSPServer()
server.set_address('127.0.0.1')
server.set_service(str(args.port))
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch(launch)
factory.set_shared(False)  # each client plays the clip from its start, so a reconnect never meets a finished pipeline

if args.user:
    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string('media.factory.role', 'viewer')
    auth.add_basic(GstRtspServer.RTSPAuth.make_basic(args.user, args.password), token)
    server.set_auth(auth)
    permissions = GstRtspServer.RTSPPermissions()
    permissions.add_permission_for_role('viewer', 'media.factory.access', True)
    permissions.add_permission_for_role('viewer', 'media.factory.construct', True)
    factory.set_permissions(permissions)

server.get_mount_points().add_factory(args.path, factory)
loop = GLib.MainLoop()
if server.attach(None) == 0:
    print(f'cannot listen on port {args.port}', file=sys.stderr, flush=True)
    sys.exit(2)


def shutdown(*_):
    loop.quit()
    return GLib.SOURCE_REMOVE


GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, shutdown)
GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, shutdown)
print(f'READY {server.get_bound_port()}', flush=True)
loop.run()
