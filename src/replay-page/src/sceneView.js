// The 3D scene: the arm drawn from its kinematics, the task's bodies from their recorded shapes and poses, the target.
import * as THREE from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';
import { forwardKinematics } from './kinematics.js';

export const ARM_COLOR = 0xe6801a; // the MJCF arm's rgba 0.9 0.5 0.1
const JOINT_COLOR = 0x6b7682;
const BACKGROUND = 0xeef2f6;

export class SceneView {
  constructor(container, scene) {
    this.container = container;
    this.arm = scene.arm;
    this.renderer = new THREE.WebGLRenderer({ antialias: true });
    this.renderer.setPixelRatio(window.devicePixelRatio || 1);
    container.appendChild(this.renderer.domElement);

    this.scene = new THREE.Scene();
    this.scene.background = new THREE.Color(BACKGROUND);
    this.camera = new THREE.PerspectiveCamera(40, 1, 0.01, 50);
    this.camera.up.set(0, 0, 1); // the simulator's z is up
    this.controls = new OrbitControls(this.camera, this.renderer.domElement);

    this.scene.add(new THREE.HemisphereLight(0xffffff, 0x8d8d8d, 2.2));
    const sun = new THREE.DirectionalLight(0xffffff, 1.6);
    sun.position.set(-1, -2, 3);
    this.scene.add(sun);
    const floor = new THREE.Mesh(new THREE.PlaneGeometry(30, 30), new THREE.MeshStandardMaterial({ color: 0xd9dee3 }));
    this.scene.add(floor);
    const grid = new THREE.GridHelper(4, 40, 0xb8c0c8, 0xc8cfd6);
    grid.rotation.x = Math.PI / 2; // GridHelper lies in x-z; the floor is x-y
    grid.position.z = 0.0005;
    this.scene.add(grid);

    this.links = this.buildArm();
    this.bodies = scene.bodies.map((body) => this.buildBody(body));
    const target = scene.target;
    this.target = new THREE.Mesh(new THREE.SphereGeometry(target.radius, 24, 16),
      new THREE.MeshStandardMaterial({ color: 0x2fb36b, transparent: true, opacity: 0.4, depthWrite: false }));
    this.scene.add(this.target);

    this.resize();
    window.addEventListener('resize', () => this.resize());
  }

  /** Looks at the middle of the arm's start and the task's target from behind and to the right of the robot, so the
   * door's front face (toward the robot), the cube and the goal stay in view. */
  frame(first) {
    const middle = new THREE.Vector3(...first.target).add(new THREE.Vector3(...first.end_effector)).multiplyScalar(0.5);
    middle.x = (middle.x + 0.25) / 2; // halfway back toward the base, so the whole arm fits
    middle.z = Math.max(middle.z, 0.3);
    this.controls.target.copy(middle);
    this.camera.position.copy(middle).add(new THREE.Vector3(-1.1, -1.45, 0.95));
    this.controls.update();
  }

  // One group per link, placed at its joint's world pose each frame; its capsule runs to the next joint (or the end
  // effector) in its own frame, with a housing along the joint's axis.
  buildArm() {
    const arm = this.arm;
    const n = arm.joint_axes.length;
    const linkMaterial = new THREE.MeshStandardMaterial({ color: ARM_COLOR, roughness: 0.55 });
    const jointMaterial = new THREE.MeshStandardMaterial({ color: JOINT_COLOR, roughness: 0.6 });
    // The base: from the world origin to joint 1.
    const base = segment(new THREE.Vector3(), new THREE.Vector3(...arm.joint_offsets[0]), arm.link_radii[0] * 1.15, jointMaterial);
    this.scene.add(base);
    const links = [];
    for (let i = 0; i < n; i++) {
      const group = new THREE.Group();
      const next = i + 1 < n ? arm.joint_offsets[i + 1] : arm.end_effector_offset;
      // The last segment is the tool up to the end effector: thin, so a gripper's fingers (recorded bodies) show
      // around it rather than inside it.
      const radius = i + 1 < n ? arm.link_radii[i] : arm.link_radii[i] * 0.35;
      group.add(segment(new THREE.Vector3(), new THREE.Vector3(...next), radius, linkMaterial));
      // Wider than both links it joins, so its surface never coincides with a capsule's (no z-fighting); a joint that
      // turns about its own link is a thin ring, one that bends the arm a drum across it.
      const axis = new THREE.Vector3(...arm.joint_axes[i]).normalize();
      const along = Math.abs(axis.dot(new THREE.Vector3(...next).normalize())) > 0.9;
      const r = Math.max(arm.link_radii[i], arm.link_radii[Math.max(0, i - 1)]) * 1.06;
      const housing = new THREE.Mesh(new THREE.CylinderGeometry(r, r, (along ? 0.35 : 1.9) * r, 24), jointMaterial);
      housing.quaternion.setFromUnitVectors(new THREE.Vector3(0, 1, 0), axis);
      group.add(housing);
      if (i === n - 1) {
        const tool = new THREE.Mesh(new THREE.SphereGeometry(0.012, 16, 12), new THREE.MeshStandardMaterial({ color: 0xd23c3c }));
        tool.position.set(...arm.end_effector_offset);
        group.add(tool);
      }
      this.scene.add(group);
      links.push(group);
    }
    return links;
  }

  buildBody(body) {
    const group = new THREE.Group();
    for (const geom of body.geoms) {
      const [r, g, b, a] = geom.rgba;
      const material = new THREE.MeshStandardMaterial({ color: new THREE.Color(r, g, b), transparent: a < 1, opacity: a, roughness: 0.7 });
      const mesh = new THREE.Mesh(geometryOf(geom), material);
      mesh.position.set(...geom.position);
      const [w, x, y, z] = geom.quaternion;
      mesh.quaternion.set(x, y, z, w);
      group.add(mesh);
    }
    this.scene.add(group);
    return group;
  }

  /** Poses everything as in `frame`. */
  show(frame) {
    const { links, endEffector } = forwardKinematics(this.arm, frame.joints);
    links.forEach((pose, i) => {
      this.links[i].position.copy(pose.position);
      this.links[i].quaternion.copy(pose.quaternion);
    });
    this.endEffector = endEffector;
    this.bodies.forEach((group, b) => {
      const p = frame.bodies.slice(7 * b, 7 * b + 7);
      group.position.set(p[0], p[1], p[2]);
      group.quaternion.set(p[4], p[5], p[6], p[3]);
    });
    this.target.position.set(...frame.target);
    this.render();
  }

  render() {
    this.controls.update();
    this.renderer.render(this.scene, this.camera);
  }

  resize() {
    const width = this.container.clientWidth || 1;
    const height = this.container.clientHeight || 1;
    this.renderer.setSize(width, height, false);
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
    this.render();
  }

  /** The arm's joints and end effector projected into page pixels: where a screenshot must show the arm. */
  armScreenBox() {
    const rect = this.renderer.domElement.getBoundingClientRect();
    const points = [new THREE.Vector3(...this.arm.joint_offsets[0]), ...this.links.map((l) => l.position), this.endEffector];
    const xs = [], ys = [];
    for (const p of points) {
      const ndc = p.clone().project(this.camera);
      xs.push(rect.left + (ndc.x + 1) / 2 * rect.width);
      ys.push(rect.top + (1 - ndc.y) / 2 * rect.height);
    }
    return { left: Math.min(...xs), top: Math.min(...ys), right: Math.max(...xs), bottom: Math.max(...ys) };
  }
}

// A capsule from a to b (a sphere where they coincide).
function segment(a, b, radius, material) {
  const length = a.distanceTo(b);
  if (length < 1e-6) return new THREE.Mesh(new THREE.SphereGeometry(radius, 20, 14), material);
  const mesh = new THREE.Mesh(new THREE.CapsuleGeometry(radius, length, 6, 20), material);
  mesh.position.copy(a).add(b).multiplyScalar(0.5);
  mesh.quaternion.setFromUnitVectors(new THREE.Vector3(0, 1, 0), b.clone().sub(a).normalize());
  return mesh;
}

// MuJoCo's sizes (RecordedScene.SceneGeom): half extents; radius; radius and half length along the geom's z.
function geometryOf(geom) {
  const [sx, sy, sz] = geom.size;
  switch (geom.type) {
    case 'box': return new THREE.BoxGeometry(2 * sx, 2 * sy, 2 * sz);
    case 'sphere': return new THREE.SphereGeometry(sx, 24, 16);
    case 'ellipsoid': return new THREE.SphereGeometry(1, 24, 16).scale(sx, sy, sz);
    case 'capsule': return new THREE.CapsuleGeometry(sx, 2 * sy, 6, 20).rotateX(Math.PI / 2);
    case 'cylinder': return new THREE.CylinderGeometry(sx, sx, 2 * sy, 24).rotateX(Math.PI / 2);
    default: throw new Error(`naf view: geom type '${geom.type}' cannot be drawn`);
  }
}
