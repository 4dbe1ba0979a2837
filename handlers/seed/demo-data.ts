/** The demo organisation: a medical-device service company with four regions. */
export const DEMO_ORG = {
  slug: 'demo',
  name: '华康医疗设备服务有限公司',
  timezone: 'Asia/Shanghai',
  locale: 'zh-CN' as const,
};

export const DEMO_REGIONS = [
  {
    code: 'east',
    name: '华东区',
    city: '上海',
    center: { lat: 31.2304, lng: 121.4737 },
    districts: ['浦东', '徐汇', '闵行', '嘉定', '松江', '静安'],
  },
  {
    code: 'north',
    name: '华北区',
    city: '北京',
    center: { lat: 39.9042, lng: 116.4074 },
    districts: ['朝阳', '海淀', '丰台', '通州', '昌平', '东城'],
  },
  {
    code: 'south',
    name: '华南区',
    city: '广州',
    center: { lat: 23.1291, lng: 113.2644 },
    districts: ['天河', '越秀', '海珠', '番禺', '白云', '黄埔'],
  },
  {
    code: 'west',
    name: '西南区',
    city: '成都',
    center: { lat: 30.5728, lng: 104.0668 },
    districts: ['武侯', '锦江', '青羊', '金牛', '成华', '双流'],
  },
] as const;

export const FAULT_TYPES: Record<string, string> = {
  ct_tube: 'CT 球管故障',
  mri_coldhead: 'MRI 冷头故障',
  ultrasound_probe: '超声探头故障',
  patient_monitor: '监护仪故障',
  ventilator: '呼吸机故障',
  dialysis: '血透机故障',
  endoscope: '内镜故障',
  xray_detector: 'DR 探测器故障',
};

export const SURNAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '赵',
  '黄',
  '周',
  '吴',
  '徐',
  '孙',
  '胡',
  '朱',
  '高',
  '林',
  '何',
  '郭',
  '马',
  '罗',
];
export const GIVEN_NAMES = [
  '伟',
  '芳',
  '娜',
  '敏',
  '静',
  '磊',
  '洋',
  '勇',
  '军',
  '杰',
  '涛',
  '明',
  '超',
  '霞',
  '平',
  '刚',
  '婷',
  '鹏',
  '斌',
  '宇',
  '浩',
  '晨',
  '欣',
  '凯',
  '琳',
  '峰',
  '蕾',
  '博',
  '辉',
  '倩',
];

export const HOSPITAL_KINDS = [
  '人民医院',
  '中心医院',
  '中医院',
  '妇幼保健院',
  '肿瘤医院',
  '第二人民医院',
];

export const POSITIVE_COMMENTS = [
  '工程师很专业，半小时就定位了问题，设备当天恢复使用。',
  '响应及时，维修后还耐心讲解了日常保养要点，非常满意。',
  '准时到场，处理干净利落，科室医生都说好。',
  '备件准备充分，一次修好，点赞。',
];

export const NEUTRAL_COMMENTS = ['问题解决了，但等待时间有点长。', '维修效果可以，沟通还需加强。'];

export const NEGATIVE_COMMENTS = [
  '态度比较冷淡，问了几次都不愿意解释故障原因。',
  '来了两次才修好，沟通不耐烦，科室很不满意。',
  '没有提前告知到场时间，解释含糊，影响了排班。',
  '修完没有说明情况就走了，服务态度需要改进。',
];
