/**
 * Opens camera and microphone. If both cannot be had, tries each alone, so a
 * student without a camera still joins with sound (and vice versa).
 */
export interface Devices {
  stream: MediaStream | undefined;
  /** Plain words for the user when something could not be opened. */
  error: string | undefined;
  /** Which could not be opened, with the browser's error name. */
  failed: readonly { device: 'camera' | 'microphone'; type: string }[];
}

export async function openDevices(height: number): Promise<Devices> {
  const video: MediaTrackConstraints = { height: { ideal: height }, width: { ideal: Math.round((height * 4) / 3) }, frameRate: { ideal: 24, max: 30 } };
  const audio: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
  if (!navigator.mediaDevices?.getUserMedia) {
    const failed = [{ device: 'camera', type: 'NotSupportedError' }, { device: 'microphone', type: 'NotSupportedError' }] as const;
    return { stream: undefined, error: 'This page cannot use a camera or microphone (it needs https or localhost).', failed };
  }
  try {
    return { stream: await navigator.mediaDevices.getUserMedia({ audio, video }), error: undefined, failed: [] };
  } catch (both) {
    const type = both instanceof DOMException ? both.name : 'Error';
    for (const [constraints, missing] of [
      [{ audio }, 'camera'],
      [{ video }, 'microphone'],
    ] as const) {
      try {
        const stream = await navigator.mediaDevices.getUserMedia(constraints);
        return {
          stream,
          error: `Your ${missing} could not be opened (${describe(both)}). Others will not ${missing === 'camera' ? 'see' : 'hear'} you.`,
          failed: [{ device: missing, type }],
        };
      } catch {
        // try the next
      }
    }
    return {
      stream: undefined,
      error: `Your camera and microphone could not be opened (${describe(both)}). You can still see and hear the others.`,
      failed: [
        { device: 'camera', type },
        { device: 'microphone', type },
      ],
    };
  }
}

function describe(error: unknown): string {
  const name = error instanceof DOMException ? error.name : 'Error';
  if (name === 'NotAllowedError') return 'permission denied';
  if (name === 'NotFoundError') return 'no device found';
  if (name === 'NotReadableError') return 'the device is in use by another program';
  return name;
}
