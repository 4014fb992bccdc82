#!/usr/bin/python3
"""A real RTSP server for the detector's tests: GStreamer's RTSP server (Debian's
gir1.2-gst-rtsp-server-1.0) serving an H.264 MP4 clip at rtsp://ADDRESS:PORT/PATH.

Usage: /usr/bin/python3 rtsp-server.py PORT PATH CLIP.mp4 [ADDRESS]   (ADDRESS: 127.0.0.1)
Prints "ready" once it listens; runs until killed.
"""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

Gst.init(None)
port, path, clip = sys.argv[1], sys.argv[2], sys.argv[3]
address = sys.argv[4] if len(sys.argv) > 4 else "127.0.0.1"
server = GstRtspServer.RTSPServer()
server.set_address(address)
server.set_service(port)
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch(
    f"( filesrc location={clip} ! qtdemux ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=1 )"
)
factory.set_shared(True)
server.get_mount_points().add_factory(path, factory)
if server.attach(None) == 0:
    sys.exit(f"cannot listen on port {port}")
print("ready", flush=True)
GLib.MainLoop().run()
