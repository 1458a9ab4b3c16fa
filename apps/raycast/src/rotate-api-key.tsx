import { RotateForm } from "./components/rotate-form.tsx";

export default function RotateApiKey() {
  return <RotateForm />;
}
