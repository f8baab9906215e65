// Forward kinematics of the recorded arm, in the simulator's convention (ArmModel / ArmForwardKinematics in C#):
// joint i sits at offset i in link i-1's frame and turns about axis i; the end effector is an offset in the last link.
// The page takes every number from the recording's scene; it knows no robot of its own.
import { Quaternion, Vector3 } from 'three';

/** World pose of each link frame (at its joint) and the end effector, for the joint angles `q`. */
export function forwardKinematics(arm, q) {
  const rotation = new Quaternion();
  const origin = new Vector3();
  const links = [];
  for (let i = 0; i < arm.joint_axes.length; i++) {
    origin.add(new Vector3(...arm.joint_offsets[i]).applyQuaternion(rotation));
    const axis = new Vector3(...arm.joint_axes[i]).normalize();
    rotation.multiply(new Quaternion().setFromAxisAngle(axis, q[i]));
    links.push({ position: origin.clone(), quaternion: rotation.clone() });
  }
  const endEffector = origin.clone().add(new Vector3(...arm.end_effector_offset).applyQuaternion(rotation));
  return { links, endEffector };
}

/** Largest distance (m) between the end effector the kinematics give and the one the simulator recorded. */
export function worstEndEffectorError(arm, episodes) {
  let worst = 0;
  for (const episode of episodes) {
    for (const frame of episode.frames) {
      const { endEffector } = forwardKinematics(arm, frame.joints);
      worst = Math.max(worst, endEffector.distanceTo(new Vector3(...frame.end_effector)));
    }
  }
  return worst;
}
