/**
 * Says so when the live connection drops: Convex keeps retrying by itself and
 * queues mutations, but a person should know the board may be stale meanwhile.
 */
import { useEffect, useState } from "react";
import { useConvex } from "convex/react";

export function ConnectionBanner() {
  const client = useConvex();
  const [offline, setOffline] = useState(false);
  useEffect(() => {
    const update = (): void => {
      const state = client.connectionState();
      setOffline(state.hasEverConnected && !state.isWebSocketConnected);
    };
    update();
    return client.subscribeToConnectionState(update);
  }, [client]);
  if (!offline) return null;
  return (
    <div className="sb-banner" role="status">
      Connection to the backend lost; reconnecting… Changes you make are sent
      when it is back.
    </div>
  );
}
