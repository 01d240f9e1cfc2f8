#!/usr/bin/env python3
"""Fixture "images": inputs and Pillow/OpenCV reference outputs for
tst_pilresize, tst_imageloader and tst_overlay.

usage: make_images.py OUT_DIR   (run with Debian's /usr/bin/python3)

Also uses the photos in resources/demo/ when they exist.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import imageloader_cases  # noqa: E402
import overlay_cases  # noqa: E402
import resize_cases  # noqa: E402

DEMO_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "resources", "demo")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    resize_cases.write(out_dir, DEMO_DIR)
    imageloader_cases.write(out_dir, DEMO_DIR)
    overlay_cases.write(out_dir)


if __name__ == "__main__":
    main()
