"""The Grad-CAM tutorial end to end, as a notebook user runs it.

usage: tutorial_overlay.py MODEL WEIGHTS IMAGE CLASS OUT.png
PIL + torchvision preprocessing, hook-based Grad-CAM, then the OpenCV overlay:
cv2.imread, cv2.resize, applyColorMap(JET), addWeighted(img, 0.6, heat, 0.4, 0).
"""
import os
import sys

import cv2
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gradcam_reference import build, grad_cam, last_conv_name, preprocess  # noqa: E402


def main(model_name, weights, image_path, class_index, out_path):
    model = build(model_name)
    model.load_state_dict(torch.load(weights))
    model.eval()
    _, cam = grad_cam(model, preprocess(image_path), last_conv_name(model), int(class_index))
    img = cv2.imread(image_path)
    heatmap = cv2.resize(cam.numpy(), (img.shape[1], img.shape[0]))
    heatmap = cv2.applyColorMap(np.uint8(255 * heatmap), cv2.COLORMAP_JET)
    cv2.imwrite(out_path, cv2.addWeighted(img, 0.6, heatmap, 0.4, 0))


if __name__ == "__main__":
    main(*sys.argv[1:6])
