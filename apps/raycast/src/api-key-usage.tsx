import { UsageView } from "./components/usage-view.tsx";

export default function ApiKeyUsage() {
  return <UsageView />;
}
