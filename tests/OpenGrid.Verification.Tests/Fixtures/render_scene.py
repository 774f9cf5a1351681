"""Renders one small test scene with Cycles on the CPU (run by make-fixtures.sh inside blender).

Usage: blender -b --factory-startup --python render_scene.py -- SCENE SEED SAMPLES OUT.png
SCENE is "spheres" or "monkey"; SEED is Cycles' sampling seed, so two seeds give the same image with different noise.
"""
import math
import sys

import bpy

scene_name, seed, samples, out_path = sys.argv[sys.argv.index("--") + 1:]

bpy.ops.wm.read_factory_settings(use_empty=True)
scene = bpy.context.scene


def material(name, rgb, roughness=0.4, metallic=0.0):
    mat = bpy.data.materials.new(name)
    mat.use_nodes = True
    bsdf = mat.node_tree.nodes["Principled BSDF"]
    bsdf.inputs["Base Color"].default_value = (*rgb, 1.0)
    bsdf.inputs["Roughness"].default_value = roughness
    bsdf.inputs["Metallic"].default_value = metallic
    return mat


def add(op, mat, **kwargs):
    op(**kwargs)
    obj = bpy.context.active_object
    obj.data.materials.append(mat)
    bpy.ops.object.shade_smooth()
    return obj


def camera(location, target):
    bpy.ops.object.camera_add(location=location)
    cam = bpy.context.active_object
    direction = [t - l for t, l in zip(target, location)]
    from mathutils import Vector
    cam.rotation_euler = Vector(direction).to_track_quat("-Z", "Y").to_euler()
    scene.camera = cam


def world(rgb, strength):
    scene.world = bpy.data.worlds.new("World")
    scene.world.use_nodes = True
    background = scene.world.node_tree.nodes["Background"]
    background.inputs["Color"].default_value = (*rgb, 1.0)
    background.inputs["Strength"].default_value = strength


if scene_name == "spheres":
    add(bpy.ops.mesh.primitive_plane_add, material("floor", (0.8, 0.8, 0.75)), size=20)
    add(bpy.ops.mesh.primitive_uv_sphere_add, material("red", (0.8, 0.1, 0.1)), radius=1, location=(0, 0, 1))
    add(bpy.ops.mesh.primitive_cube_add, material("blue", (0.1, 0.2, 0.8), 0.2), size=1.2, location=(2.2, 0.8, 0.6))
    add(bpy.ops.mesh.primitive_uv_sphere_add, material("gold", (0.9, 0.7, 0.2), 0.25, 1.0),
        radius=0.6, location=(-2, 0.5, 0.6))
    bpy.ops.object.light_add(type="SUN", location=(4, -4, 8))
    bpy.context.active_object.data.energy = 4
    bpy.context.active_object.rotation_euler = (math.radians(40), 0, math.radians(30))
    camera((0, -7, 3.5), (0, 0, 0.8))
    world((0.5, 0.6, 0.8), 0.6)
elif scene_name == "monkey":
    add(bpy.ops.mesh.primitive_plane_add, material("floor", (0.3, 0.5, 0.3)), size=20)
    add(bpy.ops.mesh.primitive_monkey_add, material("skin", (0.7, 0.5, 0.3)), location=(0, 0, 1.2))
    add(bpy.ops.mesh.primitive_torus_add, material("green", (0.1, 0.7, 0.2), 0.3),
        location=(1.8, -1, 0.3), major_radius=0.8, minor_radius=0.25)
    add(bpy.ops.mesh.primitive_cone_add, material("purple", (0.5, 0.1, 0.6)), location=(-1.8, 0.5, 0.8), depth=1.6)
    bpy.ops.object.light_add(type="AREA", location=(-3, -3, 5))
    bpy.context.active_object.data.energy = 400
    bpy.context.active_object.data.size = 3
    bpy.context.active_object.rotation_euler = (math.radians(35), math.radians(-35), 0)
    camera((5, -5, 3), (0, 0, 1))
    world((0.9, 0.7, 0.6), 0.3)
else:
    raise SystemExit(f"unknown scene {scene_name!r}")

scene.render.engine = "CYCLES"
scene.cycles.device = "CPU"
scene.cycles.samples = int(samples)
scene.cycles.use_adaptive_sampling = False
scene.cycles.use_denoising = False  # the Debian build has no OpenImageDenoise
scene.cycles.seed = int(seed)
scene.render.resolution_x = 160
scene.render.resolution_y = 120
scene.render.resolution_percentage = 100
scene.render.image_settings.file_format = "PNG"
scene.render.image_settings.color_mode = "RGB"
scene.render.image_settings.color_depth = "8"
scene.render.image_settings.compression = 100
scene.render.use_stamp = False
for stamp in ("date", "time", "render_time", "frame", "frame_range", "memory", "hostname", "camera", "lens", "scene",
              "marker", "filename", "sequencer_strip", "note"):
    setattr(scene.render, f"use_stamp_{stamp}", False)  # no metadata that changes between runs: bytes reproduce
scene.render.filepath = out_path
bpy.ops.render.render(write_still=True)
