/**
 * The simulator's built-in accounts. These are not secrets: they exist only inside the
 * simulator, and the demo and tests use them. Documented in the README.
 */
export interface SimulatorAccounts {
  twilio: {
    accountSid: string;
    authToken: string;
    apiKeySid: string;
    apiKeySecret: string;
    numbers: readonly [string, ...string[]];
    voiceOnlyNumbers: readonly string[];
    /** Messaging Service SIDs (MG…): their sender pool is `numbers`. */
    messagingServices: readonly string[];
    /** Messaging Services listed with the others whose sender pool is empty: they cannot send. */
    emptyMessagingServices?: readonly string[];
  };
  plivo: {
    authId: string;
    authToken: string;
    numbers: readonly [string, ...string[]];
    voiceOnlyNumbers: readonly string[];
    /** Powerpack UUIDs: their number pool is `numbers`. */
    powerpacks: readonly string[];
    /** Powerpacks listed with the others whose number pool is empty: they cannot send. */
    emptyPowerpacks?: readonly string[];
  };
  telnyx: {
    apiKey: string;
    numbers: readonly [string, ...string[]];
    voiceOnlyNumbers: readonly string[];
    /** Messaging profile ids: the only way to send from an alphanumeric sender ID. */
    messagingProfiles: readonly string[];
    /** Messaging profiles listed with the others but disabled: they cannot send. */
    disabledMessagingProfiles?: readonly string[];
  };
}

export const SIMULATOR_ACCOUNTS: SimulatorAccounts = {
  twilio: {
    accountSid: "AC00000000000000000000000000000001",
    authToken: "sim_twilio_auth_token",
    apiKeySid: "SK00000000000000000000000000000001",
    apiKeySecret: "sim_twilio_api_secret",
    numbers: ["+15550100001", "+15550100002"],
    voiceOnlyNumbers: ["+15550100009"],
    messagingServices: ["MG00000000000000000000000000000001"],
  },
  plivo: {
    authId: "MASIMULATOR000000001",
    authToken: "sim_plivo_auth_token",
    numbers: ["+15550200001", "+15550200002"],
    voiceOnlyNumbers: ["+15550200009"],
    powerpacks: ["00000000-0000-4000-8000-00000000a001"],
  },
  telnyx: {
    apiKey: "KEYSIMULATOR_telnyx_api_key",
    numbers: ["+15550300001", "+15550300002"],
    voiceOnlyNumbers: ["+15550300009"],
    messagingProfiles: ["00000000-0000-4000-8000-00000000b001"],
  },
};
