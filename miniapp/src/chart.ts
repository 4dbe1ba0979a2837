import { LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import { init, use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

use([LineChart, GridComponent, TooltipComponent, CanvasRenderer]);

/** Creates a canvas chart with only the line chart, grid and tooltip of ECharts. */
export function createLineChart(element: HTMLElement) {
  return init(element, undefined, { renderer: 'canvas' });
}
