// The Twilio SDK client every baseline uses: the same call sms-mcp makes, sent to the
// simulator's origin with Twilio's real paths (Twilio's SDK has no base-URL option).
import twilio from "twilio";

export function twilioAt(baseUrl, accountSid, authToken) {
  const origin = new URL(baseUrl).origin;
  class OriginClient extends twilio.RequestClient {
    request(opts) {
      const url = new URL(opts.uri);
      return super.request({ ...opts, uri: `${origin}${url.pathname}${url.search}` });
    }
  }
  return twilio(accountSid, authToken, { httpClient: new OriginClient({ timeout: 15000 }) });
}
