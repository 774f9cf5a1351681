"""Builds a small scene in code and renders one frame of it with Cycles on the CPU.

Run by Blender: blender -b --factory-startup --python render.py -- [--out DIR] [--samples N] [--width W] [--height H]

The frame comes from the environment variable FRAME (default 1; `og submit` sets it for each frame of a
`split: { frames: ... }`), and the image lands in DIR/frame-NNNN.png (DIR defaults to /out). The scene: a floor,
a cube that turns and a sphere that rolls across it over frames 1-24, one material each, a sun and a camera.
Reproducible: a fixed Cycles seed (not animated), denoising off (Debian's Blender has no OpenImageDenoise and
fails with it on), CPU only, fixed tile size and thread count, so the same frame gives the same pixels.
"""
import argparse
import math
import os
import sys

import bpy

LAST_KEYFRAME = 24


def parse_args():
    argv = sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else []
    p = argparse.ArgumentParser(prog="render.py", description="Render one frame of a generated scene with Cycles.")
    p.add_argument("--out", default="/out", help="folder for frame-NNNN.png (default /out)")
    p.add_argument("--samples", type=int, default=32, help="Cycles samples per pixel (default 32)")
    p.add_argument("--width", type=int, default=320)
    p.add_argument("--height", type=int, default=240)
    p.add_argument("--seed", type=int, default=7, help="Cycles sampling seed (default 7)")
    p.add_argument("--threads", type=int, default=0, help="render threads (default 0: one per core Blender sees)")
    return p.parse_args(argv)


def frame_from_env():
    text = os.environ.get("FRAME", "1")
    if not text.isdigit():
        sys.exit(f"render.py: FRAME={text!r} is not a frame number")
    return int(text)


def material(name, rgb, roughness):
    mat = bpy.data.materials.new(name)
    mat.use_nodes = True
    bsdf = mat.node_tree.nodes["Principled BSDF"]
    bsdf.inputs["Base Color"].default_value = (*rgb, 1.0)
    bsdf.inputs["Roughness"].default_value = roughness
    return mat


def build_scene():
    # --factory-startup leaves the default cube, light and camera: start from nothing.
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene

    bpy.ops.mesh.primitive_plane_add(size=12, location=(0, 0, 0))
    bpy.context.object.data.materials.append(material("floor", (0.8, 0.8, 0.75), 0.6))

    bpy.ops.mesh.primitive_cube_add(size=1.5, location=(-1.2, 0.5, 0.75))
    cube = bpy.context.object
    cube.data.materials.append(material("cube", (0.85, 0.25, 0.1), 0.3))
    cube.rotation_euler = (0, 0, 0)
    cube.keyframe_insert("rotation_euler", frame=1)
    cube.rotation_euler = (0, 0, math.pi)
    cube.keyframe_insert("rotation_euler", frame=LAST_KEYFRAME)

    bpy.ops.mesh.primitive_uv_sphere_add(radius=0.6, location=(-2.5, -1.2, 0.6))
    sphere = bpy.context.object
    bpy.ops.object.shade_smooth()
    sphere.data.materials.append(material("sphere", (0.1, 0.35, 0.85), 0.15))
    sphere.keyframe_insert("location", frame=1)
    sphere.location = (2.5, -1.2, 0.6)
    sphere.keyframe_insert("location", frame=LAST_KEYFRAME)

    bpy.ops.object.light_add(type="SUN", location=(4, -4, 8))
    sun = bpy.context.object
    sun.data.energy = 4.0
    sun.rotation_euler = (math.radians(40), 0, math.radians(30))

    bpy.ops.object.camera_add(location=(0, -8, 4.5), rotation=(math.radians(63), 0, 0))
    scene.camera = bpy.context.object

    world = bpy.data.worlds.new("sky")
    world.use_nodes = True
    world.node_tree.nodes["Background"].inputs["Color"].default_value = (0.5, 0.6, 0.75, 1.0)
    world.node_tree.nodes["Background"].inputs["Strength"].default_value = 0.6
    scene.world = world
    return scene


def configure(scene, args, frame):
    scene.render.engine = "CYCLES"
    scene.cycles.device = "CPU"
    scene.cycles.samples = args.samples
    scene.cycles.seed = args.seed
    scene.cycles.use_animated_seed = False
    scene.cycles.use_denoising = False
    scene.cycles.use_adaptive_sampling = False
    scene.cycles.tile_size = 64
    scene.render.resolution_x = args.width
    scene.render.resolution_y = args.height
    scene.render.resolution_percentage = 100
    scene.render.film_transparent = False
    if args.threads > 0:
        scene.render.threads_mode = "FIXED"
        scene.render.threads = args.threads
    # No metadata in the PNG (date, render time, file name...): the same frame must give the same bytes.
    for stamp in ("date", "time", "render_time", "frame", "frame_range", "memory", "hostname", "camera", "lens",
                  "scene", "marker", "filename", "sequencer_strip", "note"):
        setattr(scene.render, "use_stamp_" + stamp, False)
    scene.render.image_settings.file_format = "PNG"
    scene.render.image_settings.color_mode = "RGB"
    scene.render.image_settings.color_depth = "8"
    scene.frame_start, scene.frame_end = 1, max(LAST_KEYFRAME, frame)
    scene.frame_set(frame)
    scene.render.filepath = os.path.join(args.out, f"frame-{frame:04d}.png")


def main():
    args = parse_args()
    frame = frame_from_env()
    scene = build_scene()
    configure(scene, args, frame)
    os.makedirs(args.out, exist_ok=True)
    bpy.ops.render.render(write_still=True)
    print(f"rendered frame {frame} ({args.width}x{args.height}, {args.samples} samples) to {scene.render.filepath}", flush=True)


main()
