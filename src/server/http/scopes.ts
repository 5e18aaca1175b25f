/** The scope an access token needs to send through any connection of this server. */
export const SEND_SCOPE = "sms:send";

/** The scope that opens one connection's endpoints only. */
export const connectionScope = (connectionId: string) => `${SEND_SCOPE}:${connectionId}`;
