/**
 * LeCTR's Phase I records of one student, in preallocated typed arrays (one row per env step of the phase), so
 * that recording an advising decision allocates nothing. Phase II reads them back row by row.
 */

export interface PhaseRecordsState {
  count: number;
  /** Every column's first `count` rows, by column name. */
  columns: Record<string, number[]>;
}

export class PhaseRecords {
  count = 0;
  /** [o, Q_student(o, .)] and the same at o'. */
  readonly studentObs: Float32Array;
  readonly studentNext: Float32Array;
  /** [o, Q_student(o, .), Q_teacher(o, .)] and the same at o' (rows of students that asked). */
  readonly teacherObs: Float32Array;
  readonly teacherNext: Float32Array;
  readonly obs: Float32Array;
  readonly nextObs: Float32Array;
  /** 1 when the student asked. */
  readonly ask: Int32Array;
  readonly teacher: Int32Array;
  /** The teacher's choice (nActions = no advice), or -1 when the student did not ask. */
  readonly advice: Int32Array;
  readonly action: Int32Array;
  readonly intended: Int32Array;
  readonly terminated: Uint8Array;
  readonly reward: Float64Array;
  readonly qBefore: Float64Array;
  readonly vBefore: Float64Array;
  readonly tdBefore: Float64Array;

  constructor(
    readonly capacity: number,
    readonly obsDim: number,
    readonly studentDim: number,
    readonly teacherDim: number,
  ) {
    this.studentObs = new Float32Array(capacity * studentDim);
    this.studentNext = new Float32Array(capacity * studentDim);
    this.teacherObs = new Float32Array(capacity * teacherDim);
    this.teacherNext = new Float32Array(capacity * teacherDim);
    this.obs = new Float32Array(capacity * obsDim);
    this.nextObs = new Float32Array(capacity * obsDim);
    this.ask = new Int32Array(capacity);
    this.teacher = new Int32Array(capacity);
    this.advice = new Int32Array(capacity);
    this.action = new Int32Array(capacity);
    this.intended = new Int32Array(capacity);
    this.terminated = new Uint8Array(capacity);
    this.reward = new Float64Array(capacity);
    this.qBefore = new Float64Array(capacity);
    this.vBefore = new Float64Array(capacity);
    this.tdBefore = new Float64Array(capacity);
  }

  /** Copies row `row` of a column of width `width` into `out` (no views are made). */
  static copyRow(column: Float32Array, row: number, width: number, out: Float32Array): Float32Array {
    const base = row * width;
    for (let k = 0; k < width; k++) out[k] = column[base + k];
    return out;
  }

  /** Writes `values` into row `row` of a column of width `values.length`. */
  static writeRow(column: Float32Array, row: number, values: Float32Array): void {
    column.set(values, row * values.length);
  }

  private columnsList(): [string, ArrayLike<number> & { length: number }, number][] {
    const s = this.studentDim;
    const t = this.teacherDim;
    const d = this.obsDim;
    return [
      ["studentObs", this.studentObs, s],
      ["studentNext", this.studentNext, s],
      ["teacherObs", this.teacherObs, t],
      ["teacherNext", this.teacherNext, t],
      ["obs", this.obs, d],
      ["nextObs", this.nextObs, d],
      ["ask", this.ask, 1],
      ["teacher", this.teacher, 1],
      ["advice", this.advice, 1],
      ["action", this.action, 1],
      ["intended", this.intended, 1],
      ["terminated", this.terminated, 1],
      ["reward", this.reward, 1],
      ["qBefore", this.qBefore, 1],
      ["vBefore", this.vBefore, 1],
      ["tdBefore", this.tdBefore, 1],
    ];
  }

  getState(): PhaseRecordsState {
    const columns: Record<string, number[]> = {};
    for (const [name, column, width] of this.columnsList())
      columns[name] = Array.from({ length: this.count * width }, (_, i) => column[i]);
    return { count: this.count, columns };
  }

  setState(state: PhaseRecordsState): void {
    this.count = state.count;
    for (const [name, column] of this.columnsList())
      (column as unknown as { set(v: number[]): void }).set(state.columns[name]);
  }
}
