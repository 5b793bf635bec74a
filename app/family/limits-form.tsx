'use client';
// One memory-and-CPU setting (the kids' default, the parents', or one kid's own):
// two choices and Save. PUT /api/limits; "default" sends null, so the figure goes
// back to the family's (or the machine's). The answer is announced in a live region.
import { useId, useState, type FormEvent } from 'react';
import { api } from '../components/ui/api';
import { Button } from '../components/ui/button';

export interface LimitsFormText {
  legend: string;
  memoryLabel: string;
  cpuLabel: string;
  save: string;
  saving: string;
  saved: string;
  failed: string;
}

export interface Choice {
  value: number | null;
  label: string;
}

export function LimitsForm({
  target,
  memoryMiB,
  cpuWeight,
  memoryChoices,
  cpuChoices,
  testId,
  t,
}: {
  target: string;
  /** The figure set for this target, null: the default. */
  memoryMiB: number | null;
  cpuWeight: number | null;
  memoryChoices: Choice[];
  cpuChoices: Choice[];
  testId: string;
  t: LimitsFormText;
}) {
  const id = useId();
  const [memory, setMemory] = useState(memoryMiB === null ? 'default' : String(memoryMiB));
  const [cpu, setCpu] = useState(cpuWeight === null ? 'default' : String(cpuWeight));
  const [state, setState] = useState<'idle' | 'saving' | 'saved' | 'failed'>('idle');

  async function save(e: FormEvent) {
    e.preventDefault();
    setState('saving');
    const r = await api<{ changed: boolean }>('PUT', '/api/limits', {
      target,
      memoryMiB: memory === 'default' ? null : Number(memory),
      cpuWeight: cpu === 'default' ? null : Number(cpu),
    });
    setState(r.ok ? 'saved' : 'failed');
  }

  const select = 'mt-1 min-h-11 max-w-full rounded border border-stone-400 bg-white px-2 focus-visible:outline focus-visible:outline-2 focus-visible:outline-brand-700';
  const options = (choices: Choice[]) =>
    choices.map((c) => (
      <option key={c.value ?? 'default'} value={c.value === null ? 'default' : String(c.value)}>
        {c.label}
      </option>
    ));
  return (
    <form onSubmit={save} className="mt-3" data-testid={testId}>
      <fieldset className="flex flex-wrap items-end gap-2">
        <legend className="text-sm font-semibold">{t.legend}</legend>
        <div className="flex min-w-0 flex-col">
          <label htmlFor={`${id}-memory`} className="text-sm font-medium">
            {t.memoryLabel}
          </label>
          <select
            id={`${id}-memory`}
            name="memory"
            value={memory}
            onChange={(e) => {
              setMemory(e.target.value);
              setState('idle');
            }}
            className={select}
          >
            {options(memoryChoices)}
          </select>
        </div>
        <div className="flex min-w-0 flex-col">
          <label htmlFor={`${id}-cpu`} className="text-sm font-medium">
            {t.cpuLabel}
          </label>
          <select
            id={`${id}-cpu`}
            name="cpu"
            value={cpu}
            onChange={(e) => {
              setCpu(e.target.value);
              setState('idle');
            }}
            className={select}
          >
            {options(cpuChoices)}
          </select>
        </div>
        <Button type="submit" disabled={state === 'saving'} className="min-h-11">
          {state === 'saving' ? t.saving : t.save}
        </Button>
      </fieldset>
      <p role="status" aria-live="polite" className="text-sm" data-testid={`${testId}-status`}>
        {state === 'saved' ? t.saved : state === 'failed' ? t.failed : ''}
      </p>
    </form>
  );
}
